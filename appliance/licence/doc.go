// Package licence is the trade licence module: the register of a local
// body's licences to dangerous and offensive trades, industries and
// factories (each trade at each premises, by category and capacity), the
// fee schedule as data with its source (the council's figures labelled as
// local settings, never as law), and the services that change the
// register: a new licence on premises that are a building of the property
// tax register, its renewal for each financial year (with the schedule's
// late penalty after 31 March), amendment, transfer and surrender; the
// secretary's suspension, reinstatement and cancellation after a hearing;
// the deemed licence the law grants when the office does not decide a
// complete application in 30 days (s.447(6) of the Kerala Municipality
// Act), issued by the day's job naming the desk that held the file; MSME
// acknowledgements and the end of their exemption; licence and
// deemed-licence certificates, signed and verifiable at /verify; the
// figures the state sees. Fees are file fees, owed and paid through
// finance. See DESIGN.md.
//
// It never writes the workflow's or property tax's records: a deemed
// file is closed through workflow.Deem, premises are read through
// propertytax's exported reads.
package licence
