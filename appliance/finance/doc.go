// Package finance is the money module: what is owed to the local body
// (demands), what is paid (receipts, at the counter and online), and the
// double-entry accounts every movement posts to, on the pattern of the
// National Municipal Accounts Manual that the Kerala Municipality Accounts
// Rules follow (accrual basis).
//
// Every fee of every module becomes a demand through one door
// (workflow.Money: the workflow raises a file's fee as a demand in the
// write that submits it, and will not issue while it is unpaid). Raising a
// demand, collecting it, cancelling a receipt, a cheque returned unpaid, a
// waiver, a write-off, a remittance to the bank: each is one store write
// that changes the demand or receipt and posts journal entries whose debits
// equal their credits, checked in the write, into a period that is not
// closed. Money is integer paise, never a float.
//
// The chart of accounts is data (chart.json): ksmart's defaults on the
// NMAM pattern, a local setting for the accountant, never presented as the
// Rules' own schedule. Online payments go through a gateway (Gateway; one
// real shape is implemented, PaymentLinks), whose signed callbacks and
// webhooks credit a demand once however often they arrive, and whose
// orders still pending are asked about by a reconciliation job.
//
// The package never decides a fee: modules assess fees; finance records
// what is owed and paid.
package finance
