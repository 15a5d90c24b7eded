// Package rts is the citizen's side of the Kerala State Right to Service
// Act 2012: appeals against a file that is late or rejected, to the first
// and then the second appellate authority the service's notification
// names (catalogue.RightToService); the authorities' orders (deliver by a
// date, uphold with reasons, propose a penalty on the designated officer),
// each printed as a bilingual order with a QR code; the register of
// penalties proposed; and the report of time-bound delivery per service
// and per desk.
//
// Files and their clocks are workflow's: this package reads them, and an
// order to deliver goes through workflow.OrderDelivery in the same write
// as the appeal's decision. A deemed approval is workflow.Deem, driven by
// the notification's deemed flag; nothing here grants a file by itself.
package rts
