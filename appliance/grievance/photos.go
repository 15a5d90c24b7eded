package grievance

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/jpeg"
	_ "image/png" // PNG photos are accepted, and stored as JPEG
	"math"

	"golang.org/x/image/draw"

	"ksmart/appliance/domain"
	"ksmart/appliance/workflow"
)

// Photo limits. A photo's bytes may be at most workflow.MaxUploadBytes
// (the appliance's one upload limit); its pixels at most MaxPhotoPixels,
// checked from the header before anything is decoded, so a small file
// that would unpack into gigabytes is refused. A stored photo is at most
// StoredPhotoEdge pixels on its longer side: big enough to see a pothole,
// small enough for a slow phone.
const (
	MaxPhotoPixels  = 50_000_000
	StoredPhotoEdge = 1600
	storedQuality   = 82
)

// Photo is a stored photo of a report: the "before" photos a reporter
// sends, the "after" photo of a fix.
type Photo struct {
	Blob   string `json:"blob"` // SHA-256 of the stored JPEG
	Width  int    `json:"width"`
	Height int    `json:"height"`
	Size   int    `json:"size"`
	After  bool   `json:"after,omitempty"`
}

// PhotoUpload is a photo as received.
type PhotoUpload struct {
	Name string
	Data []byte
}

// checkedPhoto is a photo made safe to keep: re-encoded, with the place
// its EXIF gave, if any.
type checkedPhoto struct {
	photo Photo
	data  []byte
	at    *Point
}

// markup are byte strings no photo has and a file made to run in a
// browser does: a photo carrying one is refused, not cleaned, because it
// was made to attack whoever opens it.
var markup = [][]byte{[]byte("<script"), []byte("<?php"), []byte("<html"), []byte("<svg"), []byte("javascript:"), []byte("<iframe")}

// checkPhoto decides whether an upload is a photo by decoding it, reads
// the place in its EXIF, and re-encodes it as JPEG, which leaves EXIF
// (the phone's make, the time, the place) and anything else behind.
func checkPhoto(u PhotoUpload) (checkedPhoto, error) {
	name := u.Name
	if len(name) > 80 {
		name = name[:80]
	}
	if len(u.Data) > workflow.MaxUploadBytes {
		return checkedPhoto{}, domain.Bilingual(domain.ETOOLARGE, domain.T(
			fmt.Sprintf("The photo %q is %.1f MB; the limit is %d MB. Send a smaller one (most phones can share a photo at a lower size).", name, float64(len(u.Data))/(1<<20), workflow.MaxUploadBytes>>20),
			fmt.Sprintf("%q എന്ന ഫോട്ടോ %.1f MB ആണ്; പരമാവധി %d MB. ചെറിയ ഫോട്ടോ അയയ്ക്കുക.", name, float64(len(u.Data))/(1<<20), workflow.MaxUploadBytes>>20)))
	}
	lower := bytes.ToLower(u.Data)
	for _, m := range markup {
		if bytes.Contains(lower, m) {
			return checkedPhoto{}, domain.Bilingual(domain.EINVALID, domain.T(
				fmt.Sprintf("The file %q has a script or web page inside it, so it is not taken. Send the photo straight from the camera.", name),
				fmt.Sprintf("%q എന്ന ഫയലിനുള്ളിൽ സ്ക്രിപ്റ്റോ വെബ് പേജോ ഉള്ളതിനാൽ സ്വീകരിക്കുന്നില്ല. ക്യാമറയിൽ നിന്ന് നേരിട്ട് ഫോട്ടോ അയയ്ക്കുക.", name)))
		}
	}
	notPhoto := domain.Bilingual(domain.EINVALID, domain.T(
		fmt.Sprintf("The file %q is not a JPEG or PNG photo (whatever its name says). Send a photo.", name),
		fmt.Sprintf("%q എന്ന ഫയൽ JPEG അല്ലെങ്കിൽ PNG ഫോട്ടോ അല്ല. ഒരു ഫോട്ടോ അയയ്ക്കുക.", name)))
	cfg, format, err := image.DecodeConfig(bytes.NewReader(u.Data))
	if err != nil || (format != "jpeg" && format != "png") {
		return checkedPhoto{}, notPhoto
	}
	if cfg.Width*cfg.Height > MaxPhotoPixels || cfg.Width <= 0 || cfg.Height <= 0 {
		return checkedPhoto{}, domain.Bilingual(domain.ETOOLARGE, domain.T(
			fmt.Sprintf("The photo %q is %d×%d pixels; the limit is %d megapixels.", name, cfg.Width, cfg.Height, MaxPhotoPixels/1_000_000),
			fmt.Sprintf("%q എന്ന ഫോട്ടോ %d×%d പിക്സലാണ്; പരമാവധി %d മെഗാപിക്സൽ.", name, cfg.Width, cfg.Height, MaxPhotoPixels/1_000_000)))
	}
	img, _, err := image.Decode(bytes.NewReader(u.Data))
	if err != nil {
		return checkedPhoto{}, notPhoto
	}
	var at *Point
	if format == "jpeg" {
		if p, ok := exifPlace(u.Data); ok {
			at = &p
		}
	}
	img = shrink(img, StoredPhotoEdge)
	var out bytes.Buffer
	if err := jpeg.Encode(&out, img, &jpeg.Options{Quality: storedQuality}); err != nil {
		return checkedPhoto{}, err
	}
	b := img.Bounds()
	return checkedPhoto{photo: Photo{Width: b.Dx(), Height: b.Dy(), Size: out.Len()}, data: out.Bytes(), at: at}, nil
}

// shrink scales img down so its longer side is at most edge pixels.
func shrink(img image.Image, edge int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= edge && h <= edge {
		return img
	}
	if w >= h {
		h, w = max(1, h*edge/w), edge
	} else {
		w, h = max(1, w*edge/h), edge
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.ApproxBiLinear.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
	return dst
}

// exifPlace reads the GPS latitude and longitude from a JPEG's EXIF
// (APP1) segment, if it has them.
func exifPlace(data []byte) (Point, bool) {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return Point{}, false
	}
	i := 2
	for i+4 <= len(data) && data[i] == 0xFF {
		marker := data[i+1]
		if marker == 0xDA || marker == 0xD9 { // image data begins: no EXIF before it
			break
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if n < 2 || i+2+n > len(data) {
			break
		}
		seg := data[i+4 : i+2+n]
		if marker == 0xE1 && len(seg) > 6 && string(seg[:6]) == "Exif\x00\x00" {
			return tiffGPS(seg[6:])
		}
		i += 2 + n
	}
	return Point{}, false
}

// tiffGPS finds the GPS IFD of an EXIF TIFF block and reads its place.
func tiffGPS(t []byte) (Point, bool) {
	if len(t) < 8 {
		return Point{}, false
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return Point{}, false
	}
	type entry struct {
		tag, typ uint16
		count    uint32
		value    uint32 // the value itself when it fits in 4 bytes, else its offset
	}
	ifd := func(off uint32) map[uint16]entry {
		out := map[uint16]entry{}
		if int(off)+2 > len(t) {
			return out
		}
		n := int(bo.Uint16(t[off:]))
		for k := range n {
			p := int(off) + 2 + 12*k
			if p+12 > len(t) {
				break
			}
			e := entry{tag: bo.Uint16(t[p:]), typ: bo.Uint16(t[p+2:]), count: bo.Uint32(t[p+4:]), value: bo.Uint32(t[p+8:])}
			if e.typ == 2 && e.count <= 4 { // a short ASCII value sits in the entry itself
				e.value = uint32(t[p+8])
			}
			out[e.tag] = e
		}
		return out
	}
	gpsPtr, ok := ifd(bo.Uint32(t[4:]))[0x8825]
	if !ok {
		return Point{}, false
	}
	gps := ifd(gpsPtr.value)
	degrees := func(tag uint16) (float64, bool) {
		e, ok := gps[tag]
		if !ok || e.typ != 5 || e.count != 3 || int(e.value)+24 > len(t) {
			return 0, false
		}
		var v [3]float64
		for k := range 3 {
			num, den := bo.Uint32(t[int(e.value)+8*k:]), bo.Uint32(t[int(e.value)+8*k+4:])
			if den == 0 {
				return 0, false
			}
			v[k] = float64(num) / float64(den)
		}
		return v[0] + v[1]/60 + v[2]/3600, true
	}
	lat, ok1 := degrees(2)
	lon, ok2 := degrees(4)
	if !ok1 || !ok2 {
		return Point{}, false
	}
	if e, ok := gps[1]; ok && byte(e.value) == 'S' {
		lat = -lat
	}
	if e, ok := gps[3]; ok && byte(e.value) == 'W' {
		lon = -lon
	}
	p := Point{Lat: math.Round(lat*1e6) / 1e6, Lon: math.Round(lon*1e6) / 1e6}
	return p, p.Valid()
}
