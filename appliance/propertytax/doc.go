// Package propertytax is the property tax module: the register of a local
// body's buildings (owners, floors and their use, areas, and every change
// as an event), the tax on them under the Kerala rules (kept as data with
// their source, the council's own figures labelled as local settings),
// the half-yearly demands it raises in the money module, penal interest as
// the months pass, reminders, and the services that change the register:
// assessment and numbering of new buildings, reassessment, self-assessment
// returns, revision petitions, exemption, mutation, demolition, and the
// ownership and age certificates. See DESIGN.md.
package propertytax
