package appliance

import (
	"strings"

	"ksmart/appliance/domain"
	"ksmart/appliance/workflow"
	"ksmart/store"
)

// KioskActor is the actor a kiosk acts as: its own kiosk role, no sign-in.
// id names the kiosk (a device id the kiosk keeps).
func KioskActor(id string) domain.Actor {
	return domain.Actor{ID: "kiosk:" + id, Name: "Kiosk " + id, Roles: []domain.Role{domain.RoleKiosk}}
}

// KioskStatus is an application's public status asked for at a kiosk by
// its number; the asking is recorded like every kiosk search.
func (a *Appliance) KioskStatus(kiosk domain.Actor, address, number string) (workflow.PublicStatus, error) {
	if !kiosk.Has(domain.RoleKiosk) {
		return workflow.PublicStatus{}, domain.Errorf(domain.EFORBIDDEN, "This is for the kiosk.")
	}
	number = strings.TrimSpace(number)
	if number == "" {
		return workflow.PublicStatus{}, domain.FieldErrors{"number": domain.T("Type the application number from your receipt.", "രസീതിലെ അപേക്ഷ നമ്പർ നൽകുക.")}.Err()
	}
	st, err := a.Workflow.Status(number)
	_, werr := a.Store.Write(func(tx *store.Tx) error {
		return tx.Emit(kiosk.ID, EventKioskStatusChecked, "kiosk", strings.TrimPrefix(kiosk.ID, "kiosk:"), map[string]any{"address": address, "found": err == nil})
	})
	if err != nil {
		return workflow.PublicStatus{}, err
	}
	return st, werr
}
