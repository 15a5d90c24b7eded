// Package kyc is video KYC: a recorded video call in which the registrar's
// office verifies the identity of a citizen abroad (and of everyone who
// must appear for their application), so that they need not fly home.
//
// It owns the office's call slots and their bookings (each keeping the
// application the citizen was filling in as a draft, uploads included),
// the call itself (two browsers connected through a pion WebRTC relay
// inside ksmart, which records every party's audio and video), the
// officer's checklist and its outcome, and the verified-KYC events that
// other modules check (civil registration's marriage from abroad). It
// never imports a module above it; they ask it through Verified.
//
// Recordings are personal data: they are kept as files in the node's data
// directory (kyc/recordings), never in the replicated store; their
// SHA-256 is in the log, so a copy can be verified. Only the registrar's
// office (OfficerRoles) may play one, and every playing is an event.
//
// # Caveats
//
//   - Tracks are written as they arrive (IVF for VP8, Ogg for Opus), with
//     no jitter buffer: on a lossy network a recording may show glitches
//     where packets came out of order. The call itself is unaffected.
//   - A recording is several files, one per party, medium and part, packed
//     in one tar whose SHA-256 is the recording's.
//   - A call's state lives in memory; a restart ends every call, and Open
//     keeps what was recorded as a partial recording.
package kyc
