package documents

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadFonts_BadFilesAreNamedWithWhatIsWrong(t *testing.T) {
	notFont := filepath.Join(t.TempDir(), "notes.otf")
	if err := os.WriteFile(notFont, []byte("these are not the glyphs you are looking for"), 0o644); err != nil {
		t.Fatal(err)
	}
	manjari := fontFile(t, "/usr/share/fonts/opentype/malayalam/Manjari-Regular.otf", "fonts-smc-manjari")
	for _, tc := range []struct {
		name          string
		regular, bold string
		want          []string
	}{
		{"missing file", "/nonexistent/Manjari-Regular.otf", "", []string{"/nonexistent/Manjari-Regular.otf", "does not exist"}},
		{"not a font", notFont, "", []string{notFont, "not an OpenType or TrueType font"}},
		{"bad bold file", manjari, "/nonexistent/Bold.otf", []string{"/nonexistent/Bold.otf", "does not exist"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := LoadFonts(tc.regular, tc.bold)
			if err == nil {
				t.Fatalf("LoadFonts = %v, want an error", f.Name())
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestLoadFonts_FontWithoutMalayalamIsRefused(t *testing.T) {
	dejavu := fontFile(t, "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "fonts-dejavu-core")
	_, err := LoadFonts(dejavu, "")
	if err == nil || !strings.Contains(err.Error(), dejavu) || !strings.Contains(err.Error(), "no Malayalam letters") {
		t.Fatalf("LoadFonts(DejaVuSans) = %v; want an error saying it has no Malayalam", err)
	}
}

func TestLoadFonts_CFFAndTrueTypeBothLoad(t *testing.T) {
	for _, ff := range malayalamFontFiles {
		t.Run(ff.tag, func(t *testing.T) {
			f, err := LoadFonts(fontFile(t, ff.file, ff.pkg), "")
			if err != nil {
				t.Fatal(err)
			}
			if !f.Malayalam() || !strings.EqualFold(f.Name(), ff.tag) {
				t.Errorf("Name() = %q, Malayalam() = %v", f.Name(), f.Malayalam())
			}
			if f.faces[bold] != f.faces[regular] {
				t.Error("without a bold file, bold text should use the regular font")
			}
			pdf, err := NewRenderer(f).Certificate(sampleBirth())
			if err != nil {
				t.Fatal(err)
			}
			if text := pdfText(t, pdf); !strings.Contains(text, "ജ്യോതിലക്ഷ്മി") {
				t.Errorf("a certificate drawn in %s does not give back its names:\n%s", ff.tag, text)
			}
		})
	}
}

func TestSystemFonts_FindsManjariOrSaysWhatToInstall(t *testing.T) {
	f := malayalamRenderer(t).Fonts()
	if !f.Malayalam() || f.Name() == "" {
		t.Fatalf("SystemFonts() = %q, Malayalam() = %v", f.Name(), f.Malayalam())
	}
	saved := systemFontFiles
	defer func() { systemFontFiles = saved }()
	systemFontFiles = []struct{ regular, bold string }{{"/nonexistent/a.otf", ""}, {"/nonexistent/b.ttf", ""}}
	_, err := SystemFonts()
	if err == nil {
		t.Fatal("SystemFonts found a font in /nonexistent")
	}
	for _, w := range []string{"/nonexistent/a.otf", "/nonexistent/b.ttf", "apt-get install fonts-smc-manjari"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
}
