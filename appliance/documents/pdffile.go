package documents

import (
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	"fmt"
	"strconv"
	"sync"
	"time"

	"ksmart/appliance/domain"
)

// pdfFile is a finished PDF before it is written out: its pages' content
// streams, the glyph forms they place, the document information and an
// optional XMP metadata packet.
//
// The file is written here rather than by fpdf because every glyph form must
// be a separate object, compressed once per process and copied into each
// document as it is, and fpdf can write no such object: its templates are
// compressed again in every document (with a new zlib writer each, about
// 0.5 ms apiece) and its imported objects are numbered in map order. DESIGN.md
// has the measurements.
type pdfFile struct {
	// width and height are the pages' size in points.
	width, height float64
	pages         []pdfPage
	// forms are the glyph forms the pages name, in order of first use.
	forms []*glyphForm
	info  pdfInfo
	// xmp is an XMP packet for the catalog's /Metadata, stored uncompressed
	// so that a program can find it in the bytes; nil for none.
	xmp []byte
}

// pdfPage is one page of a pdfFile: its content stream, uncompressed, and
// the glyph forms it places, in order of first use.
type pdfPage struct {
	content []byte
	forms   []*glyphForm
}

// pdfInfo is the document information dictionary: what the document is and
// when it was made. The time stands for both the creation and modification
// dates, so the bytes never depend on the clock.
type pdfInfo struct {
	Title, Author, Subject string
	Time                   time.Time
}

// Object numbers of the objects every document has. A document of more
// than one page numbers each further page and its content after these
// (objFirstForm, objFirstForm+1 for the second page, …) and its glyph forms
// after those, so that a one-page document is laid out as it always was.
const (
	objCatalog = 1 + iota
	objPages
	objPage
	objHelvetica
	objHelveticaBold
	objContent
	objInfo
	objMetadata
	objFirstForm
)

// pageObjects returns the object numbers of page i's page object and
// content stream.
func pageObjects(i int) (page, content int) {
	if i == 0 {
		return objPage, objContent
	}
	return objFirstForm + 2*(i-1), objFirstForm + 2*(i-1) + 1
}

// zlibWriters pools zlib writers: making one allocates about 1 MB, far more
// than compressing a page's content costs.
var zlibWriters = sync.Pool{New: func() any {
	w, _ := zlib.NewWriterLevel(nil, zlib.BestSpeed)
	return w
}}

// deflate compresses b into a new slice with zlib at the fastest level.
func deflate(b []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(b)/4 + 64)
	zw := zlibWriters.Get().(*zlib.Writer)
	zw.Reset(&out)
	zw.Write(b)
	zw.Close()
	zlibWriters.Put(zw)
	return out.Bytes()
}

// bytes writes the file: PDF 1.7, its pages, a cross-reference table and
// an /ID derived from the content, so that the same document always gives
// the same bytes.
func (p *pdfFile) bytes() []byte {
	contents := make([][]byte, len(p.pages))
	size := 2048 + len(p.xmp)
	for i, pg := range p.pages {
		contents[i] = deflate(pg.content)
		size += len(contents[i]) + 512 + 16*len(pg.forms)
	}
	for _, f := range p.forms {
		size += len(f.object) + 24
	}
	firstForm := objFirstForm + 2*(len(p.pages)-1)
	formObj := make(map[*glyphForm]int, len(p.forms))
	for i, f := range p.forms {
		formObj[f] = firstForm + i
	}
	w := &objWriter{buf: make([]byte, 0, size)}
	n := firstForm + len(p.forms)
	w.offsets = make([]int, n)
	w.buf = append(w.buf, "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n"...)

	w.begin(objCatalog)
	w.buf = append(w.buf, "<< /Type /Catalog /Pages 2 0 R /ViewerPreferences << /DisplayDocTitle true >>"...)
	if p.xmp != nil {
		w.buf = fmt.Appendf(w.buf, " /Metadata %d 0 R", objMetadata)
	}
	w.buf = append(w.buf, " >>"...)
	w.end()

	w.begin(objPages)
	w.buf = append(w.buf, "<< /Type /Pages /Kids ["...)
	for i := range p.pages {
		if i > 0 {
			w.buf = append(w.buf, ' ')
		}
		page, _ := pageObjects(i)
		w.buf = fmt.Appendf(w.buf, "%d 0 R", page)
	}
	w.buf = fmt.Appendf(w.buf, "] /Count %d >>", len(p.pages))
	w.end()

	// page writes page i's object and its content stream's.
	page := func(i int) {
		pageObj, contentObj := pageObjects(i)
		w.begin(pageObj)
		w.buf = append(w.buf, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 "...)
		w.buf = appendNum(w.buf, p.width, 2)
		w.buf = append(w.buf, ' ')
		w.buf = appendNum(w.buf, p.height, 2)
		w.buf = fmt.Appendf(w.buf, "] /Resources << /ProcSet [/PDF /Text] /Font << /F1 %d 0 R /F2 %d 0 R >>", objHelvetica, objHelveticaBold)
		if forms := p.pages[i].forms; len(forms) > 0 {
			w.buf = append(w.buf, " /XObject <<"...)
			for _, f := range forms {
				w.buf = fmt.Appendf(w.buf, " /%s %d 0 R", f.name, formObj[f])
			}
			w.buf = append(w.buf, " >>"...)
		}
		w.buf = fmt.Appendf(w.buf, " >> /Contents %d 0 R >>", contentObj)
		w.end()
		if i > 0 {
			w.begin(contentObj)
			w.stream(contents[i])
		}
	}
	page(0)

	for _, font := range []struct {
		obj  int
		name string
	}{{objHelvetica, "Helvetica"}, {objHelveticaBold, "Helvetica-Bold"}} {
		w.begin(font.obj)
		w.buf = fmt.Appendf(w.buf, "<< /Type /Font /Subtype /Type1 /BaseFont /%s /Encoding /WinAnsiEncoding >>", font.name)
		w.end()
	}

	w.begin(objContent)
	w.stream(contents[0])

	w.begin(objInfo)
	w.buf = append(w.buf, "<< /Producer (ksmart) /Creator (ksmart)"...)
	for _, e := range []struct{ key, value string }{{"Title", p.info.Title}, {"Author", p.info.Author}, {"Subject", p.info.Subject}} {
		if e.value != "" {
			w.buf = append(w.buf, " /"+e.key+" "...)
			w.buf = appendTextString(w.buf, e.value)
		}
	}
	date := pdfDate(p.info.Time)
	w.buf = append(w.buf, " /CreationDate "...)
	w.buf = appendPDFString(w.buf, date)
	w.buf = append(w.buf, " /ModDate "...)
	w.buf = appendPDFString(w.buf, date)
	w.buf = append(w.buf, " >>"...)
	w.end()

	if p.xmp != nil {
		w.begin(objMetadata)
		w.buf = fmt.Appendf(w.buf, "<< /Type /Metadata /Subtype /XML /Length %d >>\nstream\n", len(p.xmp))
		w.buf = append(w.buf, p.xmp...)
		w.buf = append(w.buf, "\nendstream"...)
		w.end()
	} else {
		// Keep the numbering fixed: a null object that nothing refers to.
		w.begin(objMetadata)
		w.buf = append(w.buf, "null"...)
		w.end()
	}

	for i := 1; i < len(p.pages); i++ {
		page(i)
	}

	formsStart := len(w.buf)
	for i, f := range p.forms {
		w.begin(firstForm + i)
		w.buf = append(w.buf, f.object...)
		w.end()
	}

	// The /ID is a digest of what the file says: the compressed contents,
	// which name every glyph form, the information and the metadata.
	// Hashing the whole file would cost five times more.
	id := sha256.Sum256(w.buf[w.offsets[objContent]:formsStart])
	xref := len(w.buf)
	w.buf = fmt.Appendf(w.buf, "xref\n0 %d\n0000000000 65535 f \n", n)
	for _, off := range w.offsets[1:] {
		w.buf = fmt.Appendf(w.buf, "%010d 00000 n \n", off)
	}
	w.buf = fmt.Appendf(w.buf, "trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [<%X> <%X>] >>\nstartxref\n%d\n%%%%EOF\n",
		n, objCatalog, objInfo, id[:16], id[:16], xref)
	return w.buf
}

// release hands the pages' content buffers back for the next document; the
// file cannot be written afterwards.
func (p *pdfFile) release() {
	for i, pg := range p.pages {
		if cap(pg.content) <= 1<<20 {
			buf := pg.content[:0]
			contentBuffers.Put(&buf)
		}
		p.pages[i].content = nil
	}
}

// objWriter appends numbered objects and remembers where each starts.
type objWriter struct {
	buf     []byte
	offsets []int
}

func (w *objWriter) begin(n int) {
	w.offsets[n] = len(w.buf)
	w.buf = strconv.AppendInt(w.buf, int64(n), 10)
	w.buf = append(w.buf, " 0 obj\n"...)
}

func (w *objWriter) end() { w.buf = append(w.buf, "\nendobj\n"...) }

// stream writes a compressed stream's dictionary and data, and ends the
// object.
func (w *objWriter) stream(data []byte) {
	w.buf = fmt.Appendf(w.buf, "<< /Filter /FlateDecode /Length %d >>\nstream\n", len(data))
	w.buf = append(w.buf, data...)
	w.buf = append(w.buf, "\nendstream"...)
	w.end()
}

// pdfDate formats t in IST as a PDF date, e.g. D:20260312104205+05'30'.
func pdfDate(t time.Time) []byte {
	return []byte(t.In(domain.IST).Format("D:20060102150405") + "+05'30'")
}
