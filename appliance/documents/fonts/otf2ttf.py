#!/usr/bin/python3
"""otf2ttf.py converts Manjari's CFF-flavoured OpenType fonts, as Debian's
fonts-smc-manjari ships them, into TrueType (glyf) fonts, because fpdf can embed
and subset only TrueType outlines.

Run it with Debian's python3-fonttools from this folder:

    /usr/bin/python3 otf2ttf.py /usr/share/fonts/opentype/malayalam/Manjari-Regular.otf Manjari-Regular.ttf
    /usr/bin/python3 otf2ttf.py /usr/share/fonts/opentype/malayalam/Manjari-Bold.otf Manjari-Bold.ttf

The glyph order, cmap, GSUB, GPOS, GDEF and metrics are kept as they are, so
shaping is unchanged; only the outlines are converted (cubic to quadratic
curves within 1 font unit of 2048) and the tables that no longer apply (the
digital signature, the CFF hinting program) are dropped. It follows the
otf2ttf snippet that ships with fontTools.
"""
import sys

from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable


def convert(src, dst, max_err=1.0):
    font = TTFont(src)
    assert font.sfntVersion == "OTTO" and "CFF " in font, src + " is not a CFF OpenType font"
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    quadratic = {}
    for name in order:
        tt_pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(tt_pen, max_err, reverse_direction=True))
        quadratic[name] = tt_pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = quadratic
    del font["CFF "]
    for tag in ("DSIG", "prep"):
        if tag in font:
            del font[tag]
    glyf.compile(font)
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    for field in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                  "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, field, 0)
    post = font["post"]
    post.formatType = 3.0
    font.sfntVersion = "\000\001\000\000"
    font.save(dst)


if __name__ == "__main__":
    convert(sys.argv[1], sys.argv[2])
