// Package domain is the vocabulary every ksmart module shares: the error type
// and its codes, actors and roles, bilingual text, money in integer paise, the
// working-day calendar and the local body's identity.
//
// It imports the standard library only and holds no storage or HTTP code.
package domain
