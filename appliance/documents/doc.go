// Package documents owns the PDFs ksmart issues: acknowledgement receipts
// and birth, death, marriage and non-availability certificates, with
// licences and permits to follow on the same machinery. Every document is a
// bilingual (Malayalam and English) A4 page with a header naming the local
// body, labelled rows, a QR code and a footer — a certificate whose
// particulars do not fit one page goes on to numbered annexure pages — and
// is reproducible byte for byte from its record and the font files, so its
// SHA-256 can be kept and a copy checked by drawing it again.
//
// A Renderer draws documents in the typeface of a Fonts: a Malayalam font
// installed on the system (SystemFonts, or LoadFonts for given files; CFF
// .otf and TrueType .ttf both work), or none (EnglishOnly), when documents
// print their English halves only. Text is shaped with go-text/typesetting
// (HarfBuzz's rules) and every glyph is drawn as a vector outline, a form
// XObject compressed once per process; the same text is laid over the
// outlines invisibly (plain Helvetica for ASCII words, /ActualText spans for
// the rest), so search, copy-paste and pdftotext give it back exactly. No
// font is embedded. A certificate's PDF also carries its canonical JSON and
// QR payload in its XMP metadata (ReadCertificate).
//
// The package renders; it never stores, numbers or signs documents, and it
// knows nothing of HTTP. Callers pass records whose every varying part
// (times, numbers, URLs, the signed QR payload) is already decided.
//
// # Caveats
//
//   - The bytes depend on the font files and on go-text's shaping: the same
//     record drawn after a font package or library upgrade can differ, so a
//     byte comparison with an old file is only meaningful with the fonts it
//     was drawn with. The signature over Certificate.Digest does not depend
//     on them.
//   - The file is written by this package (pdffile.go), not by fpdf, which
//     cannot write shared, precompressed glyph objects; DESIGN.md has the
//     measurements behind that.
//   - A viewer that ignores /ActualText extracts each Malayalam word as the
//     placeholder letter "x". Poppler (pdftotext, Evince, Okular) honours
//     it, and the tests check pdftotext; other viewers are untested.
//   - A certificate is never refused or cut off for its length: it shrinks
//     its body to 76% on one page, then goes on to annexure pages at the
//     normal size (the QR code and signature on the last, every page
//     numbered and naming the certificate). Only an issuing officer's name
//     and designation that would take more than half a page, or a row no
//     page could hold, are refused, with an EINVALID error naming the
//     field. Receipts and letters stay one page and are refused when they
//     do not fit; their forms limit what they hold.
//   - PageCount reads a document's page count; a one-page certificate is
//     drawn exactly as before annexures existed, so certificates issued
//     earlier still verify byte for byte.
package documents
