// Package documents owns the PDFs ksmart issues: acknowledgement receipts
// now, and certificates, licences, permits and payment receipts on the same
// machinery. Every document is one bilingual (Malayalam and English) A4 page
// with a header naming the local body, labelled rows, a QR code and a footer,
// and is reproducible byte for byte from its record, so its SHA-256 can be
// kept and checked later.
//
// Malayalam is shaped with go-text/typesetting (HarfBuzz's rules) and drawn
// glyph by glyph through fpdf, which does no shaping of its own; every shaped
// run carries its original text as /ActualText so the PDF stays searchable
// and extractable. The fonts (Manjari, SIL OFL) are embedded in the binary.
//
// The package renders; it never stores, numbers or signs documents, and it
// knows nothing of HTTP. Callers pass records whose every varying part (times,
// numbers, URLs) is already decided.
//
// # Caveats
//
//   - Shaped glyphs reach fpdf as Private Use Area code points (U+E000 plus
//     the glyph ID) in a copy of the font's cmap; a viewer that ignores
//     /ActualText extracts those code points instead of the text.
//   - fpdf parses both embedded fonts again for every document
//     (AddUTF8FontFromBytes keeps no cache); only the go-text font and the
//     fpdf copy are built once per process. A receipt takes about 14 ms, most
//     of it in fpdf and the QR encoder; DESIGN.md has the breakdown.
package documents
