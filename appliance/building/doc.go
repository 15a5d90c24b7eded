// Package building is the building permission module: the automatic
// scrutiny of a plan against the Kerala Municipality or Panchayat Building
// Rules, 2019 (every rule checked shown with its number, the figure
// required and the figure provided), plans read from DXF drawings, the
// permit fee, same-day low-risk permits on self-certification, the file's
// site inspection, engineer's scrutiny report and secretary's decision,
// the permit and occupancy certificate as signed PDFs, renewal, and the
// hand-over of a completed building to the property tax register, which
// numbers it and demands its tax.
//
// The rules' figures are data (rules.json) with their source; a figure
// not confirmed from the rules' text is a local setting and says so.
// The package never reads HTTP; the scrutiny itself (Rules.Scrutinise)
// reads and writes nothing. See DESIGN.md.
package building
