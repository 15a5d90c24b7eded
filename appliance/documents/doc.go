// Package documents owns the PDFs ksmart issues: acknowledgement receipts
// and birth, death, marriage and non-availability certificates, with
// licences and permits to follow on the same machinery. Every document is one
// bilingual (Malayalam and English) A4 page with a header naming the local
// body, labelled rows, a QR code and a footer, and is reproducible byte for
// byte from its record and the font files, so its SHA-256 can be kept and a
// copy checked by drawing it again.
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
//   - A certificate is one page: one that does not fit is refused with an
//     EINVALID error, never cut off.
package documents
