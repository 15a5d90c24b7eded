package documents

import (
	"fmt"

	"ksmart/appliance/domain"
)

// A certificate whose particulars do not fit one page even with its body at
// the smallest size goes on to annexure pages, at the normal size, rather
// than be refused: an office must be able to issue every certificate a
// citizen is entitled to. Its first page is laid out as a one-page
// certificate is, with "Page 1 of N" under the form number and "Continued
// on page 2" at its foot; each further page is headed with the local body,
// "Annexure to the … certificate", the certificate's number and register
// number and which page it is; the rows go on where they stopped, a long
// value divided between pages under its label marked "(continued)"; the
// QR code and the signature close the last page. The record, its digest
// and signature, and the PDF's bytes cover every page, so verification
// holds for the whole certificate.

// drawCertificatePages draws c on as many pages as its rows take at the
// normal size. The pages are numbered "Page i of N", and N is known only
// once they are laid out: they are laid out for two pages, and again for
// the number that took, which lays them out the same way (only the digits
// of the page numbers differ).
func (r *Renderer) drawCertificatePages(c Certificate) (*pdfFile, error) {
	pages := 2
	for range 3 {
		drawn, err := r.layOutPages(c, pages)
		if err != nil {
			return nil, err
		}
		if len(drawn) == pages {
			p := drawn[0]
			return pagesFile(drawn, p.certificateInfo(c, certKinds[c.Kind]), certificateXMP(c)), nil
		}
		pagesFile(drawn, pdfInfo{}, nil).release()
		pages = len(drawn)
	}
	return nil, domain.Errorf(domain.EINTERNAL, "certificate %s: its pages could not be numbered", c.Number)
}

// layOutPages draws c's pages numbered as of pages, and returns however
// many it took.
func (r *Renderer) layOutPages(c Certificate, pages int) (drawn []*page, err error) {
	defer func() {
		if err != nil && len(drawn) > 0 {
			pagesFile(drawn, pdfInfo{}, nil).release()
		}
	}()
	k := certKinds[c.Kind]
	p := newPage(r.fonts)
	drawn = append(drawn, p)
	blockTop, err := p.closingBlockTop(c)
	if err != nil {
		return drawn, err
	}
	// How much an annexure page holds, from a page drawn to measure it.
	probe := newPage(r.fonts)
	probe.annexureHead(c, k, 2, pages)
	headBottom := probe.y
	probe.file(pdfInfo{}, nil).release()
	limit := footerTop - 2*mm - p.continuedHeight(pages)
	pageRoom := limit - headBottom

	p.certificateHead(c, k, 1, pages)
	var rows []laidRow
	for _, rw := range c.rows() {
		rows = append(rows, p.layRow(rw))
	}
	p.rule(p.y, 0.4, light)
	for {
		if p.y+rowsHeight(rows)+4*mm <= blockTop {
			// The rest ends above the closing block: this is the last page.
			for _, lr := range rows {
				p.drawRow(lr)
			}
			p.y += 4 * mm
			if err := p.certificateBlock(c, blockTop); err != nil {
				return drawn, err
			}
			p.footer(k.reminder, pagesNote(pages))
			return drawn, nil
		}
		placed := p.fillPage(&rows, limit, pageRoom, blockTop-4*mm)
		if !placed && len(drawn) > 1 {
			// Not even a page of its own holds what comes next.
			label := rows[0].label
			return drawn, &domain.Error{Code: domain.EINVALID,
				Message:   fmt.Sprintf("certificate: %q is too long to print even on a page of its own; shorten it", label.En),
				MessageML: fmt.Sprintf("സർട്ടിഫിക്കറ്റ്: %q ഒരു പേജിൽ പോലും അച്ചടിക്കാനാകാത്തത്ര നീളമുള്ളതാണ്; ചുരുക്കുക", mlOr(label)),
				Fields:    map[string]domain.Text{label.En: domain.T("Too long to print even on a page of its own.", "ഒരു പേജിൽ പോലും അച്ചടിക്കാനാകാത്തത്ര നീളമുള്ളതാണ്.")}}
		}
		p.continuedNote(len(drawn)+1, pages)
		p.footer(k.reminder, pagesNote(pages))
		p = newPage(r.fonts)
		drawn = append(drawn, p)
		p.annexureHead(c, k, len(drawn), pages)
		if rows[0].label == labelRegNumber {
			// The head has just given the register number and date.
			rows = rows[1:]
		}
		p.rule(p.y, 0.4, light)
	}
}

// fillPage draws as many of rows as fit above limit, keeping the last for
// the page the closing block is on, and reports whether it drew any. A row
// that does not fit is divided between this page and the next, unless it
// would fit whole on an annexure page (whose rows have room) and this page
// has less than a third of that left: then it moves whole, so a short value
// such as a name is never divided. The row before the last, when the two
// cannot end above the closing block (at finish) on this page, is divided
// too, or moved whole, so that the last page holds more than the date of
// issue.
func (p *page) fillPage(rows *[]laidRow, limit, room, finish float64) (placed bool) {
	pad := 2 * p.pad(rowPad)
	for len(*rows) > 0 {
		lr := (*rows)[0]
		h := lr.height() + pad
		if len(*rows) > 1 && p.y+h <= limit {
			if last := (*rows)[1]; len(*rows) == 2 && p.y+h+last.height()+pad > finish {
				if first, rest, ok := splitRow(lr, limit-p.y-pad); ok {
					p.drawRow(first)
					(*rows)[0] = rest
					return true
				}
				if placed {
					return placed
				}
			}
			p.drawRow(lr)
			*rows = (*rows)[1:]
			placed = true
			continue
		}
		if h <= room && limit-p.y < room/3 {
			return placed
		}
		first, rest, ok := splitRow(lr, limit-p.y-pad)
		if ok {
			p.drawRow(first)
			(*rows)[0] = rest
			placed = true
		}
		return placed
	}
	return placed
}

// rowsHeight is the height rows take, padding included.
func rowsHeight(rows []laidRow) float64 {
	h := 0.0
	for _, lr := range rows {
		h += lr.height() + 2*rowPad
	}
	return h
}

// annexureHead draws the head of page (2 or later) of a certificate of
// pages: the certificate's number and which page this is, the local body on
// one line, the annexure's title, a sentence tying the page to its
// certificate, and the certificate and register numbers as rows. It is
// shorter than the first page's head, to leave the page to the
// particulars.
func (p *page) annexureHead(c Certificate, k certKind, page, pages int) {
	top := p.y
	h := p.paragraph(p.join(labelCertNumber)+": "+c.Number, styleCaption, marginX, top, contentW/2, alignLeft, grey)
	h = max(h, p.paragraph(p.join(pageOf(page, pages)), styleCaption, marginX+contentW/2, top, contentW/2, alignRight, grey))
	p.y += h + 1*mm
	lb := c.LocalBody
	p.y += p.paragraph(p.join(lb.Name)+", "+p.join(districtText(lb.District)), styleGovernment, marginX, p.y, contentW, alignCenter, black)
	p.y += 1 * mm
	p.rule(p.y, 1.7, black)
	p.rule(p.y+1*mm, 0.6, black)
	p.y += 4 * mm
	p.title(k.annexure)
	part := domain.T(
		fmt.Sprintf("This page is part of certificate No. %s, of %d pages, and is valid only with all of them. The QR code on page %d verifies every page.", c.Number, pages, pages),
		fmt.Sprintf("ഈ പേജ് %d പേജുള്ള %s നമ്പർ സർട്ടിഫിക്കറ്റിന്റെ ഭാഗമാണ്; എല്ലാ പേജുകളും ഒരുമിച്ചേ സാധുവാകൂ. %d-ാം പേജിലെ ക്യുആർ കോഡ് എല്ലാ പേജുകളും പരിശോധിക്കുന്നു.", pages, c.Number, pages))
	p.y += p.textBlock([]string{part.En, p.ml(part)}, styleCaption, marginX, p.y, contentW, alignLeft, black)
	p.y += 3 * mm
	ids := []row{{Label: labelCertNumber, Value: plain(c.Number), Strong: true}}
	if c.Kind != CertNonAvailability {
		ids = append(ids, row{Label: labelRegNumber, Value: plain(c.RegistrationNumber), Strong: true,
			Label2: labelRegDate, Value2: plain(formatDate(c.RegistrationDate))})
	}
	p.rows(ids)
}

// continuedText says where the certificate goes on.
func continuedText(next int) domain.Text {
	return domain.T(fmt.Sprintf("Continued on page %d", next), fmt.Sprintf("തുടർച്ച %d-ാം പേജിൽ", next))
}

// continuedHeight is the height of the note at the foot of a page that
// the certificate goes on from.
func (p *page) continuedHeight(pages int) float64 {
	return p.lay(p.join(continuedText(pages)), styleCaption, marginX, contentW, alignRight, grey).height()
}

// continuedNote says, at the foot of the page above the footer, which page
// the certificate goes on to.
func (p *page) continuedNote(next, pages int) {
	h := p.continuedHeight(pages)
	p.paragraph(p.join(continuedText(next)), styleCaption, marginX, footerTop-1*mm-h, contentW, alignRight, grey)
}

// pagesNote is the footer's note on a certificate of more than one page.
func pagesNote(pages int) domain.Text {
	return domain.T(
		fmt.Sprintf("Computer-generated certificate of %d pages. The QR code on page %d carries the local body's digital signature for all of them.", pages, pages),
		fmt.Sprintf("%d പേജുള്ള കമ്പ്യൂട്ടർ സർട്ടിഫിക്കറ്റ്. %d-ാം പേജിലെ ക്യുആർ കോഡിൽ എല്ലാ പേജുകൾക്കും തദ്ദേശ സ്ഥാപനത്തിന്റെ ഡിജിറ്റൽ ഒപ്പുണ്ട്.", pages, pages))
}
