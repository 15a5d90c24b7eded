package kyc

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"ksmart/appliance/catalogue"
	"ksmart/appliance/domain"
	"ksmart/appliance/messaging"
	"ksmart/store"
)

// Checklist is what the officer records at the end of a call.
type Checklist struct {
	// IDDocument is the document shown to the camera, e.g. "Passport Z1234567".
	IDDocument string `json:"id_document"`
	// IDMatches: the document shown matches the application.
	IDMatches bool `json:"id_matches"`
	// Appeared are the persons (by their form field) who appeared on the
	// call and were named.
	Appeared []string `json:"appeared"`
	// ConsentRead: the consent statement was read out.
	ConsentRead bool `json:"consent_read"`
	// AudioOnlyAccepted: the officer accepts a call the citizen joined
	// without a camera.
	AudioOnlyAccepted bool `json:"audio_only_accepted,omitempty"`
	Verified          bool `json:"verified"`
	// Reason is why it was not verified (or a note when it was).
	Reason string `json:"reason,omitempty"`
}

// Outcome is the officer's checklist as recorded.
type Outcome struct {
	Checklist
	Officer     string    `json:"officer"`
	OfficerName string    `json:"officer_name"`
	At          time.Time `json:"at"`
	// ValidUntil is when a verified KYC stops unlocking the application.
	ValidUntil time.Time `json:"valid_until,omitzero"`
}

// Verification is what Verified looks up: a KYC that stands for one
// citizen's application naming its persons (or, for an override, for the
// service).
type Verification struct {
	Booking    string    `json:"booking,omitempty"`
	By         string    `json:"by"`
	ValidUntil time.Time `json:"valid_until"`
	Reason     string    `json:"reason,omitempty"`
}

// ConsentStatement is read out on the call, by the citizen, before the
// officer may verify.
var ConsentStatement = domain.T(
	"I consent to this video call being recorded by the local body to verify my identity for my application. The recording is kept by the local body only, for the period its rules set, and is played only by the registrar's office.",
	"എന്റെ അപേക്ഷയ്ക്കായി എന്റെ തിരിച്ചറിയൽ ഉറപ്പാക്കാൻ ഈ വീഡിയോ കോൾ തദ്ദേശ സ്ഥാപനം റെക്കോർഡ് ചെയ്യുന്നതിന് ഞാൻ സമ്മതിക്കുന്നു. റെക്കോർഡിങ് നിശ്ചിത കാലത്തേക്ക് തദ്ദേശ സ്ഥാപനം മാത്രം സൂക്ഷിക്കും; രജിസ്ട്രാർ ഓഫീസ് മാത്രമേ അത് കാണൂ.")

// Decide ends the call (keeping its recording) and records the officer's
// checklist. Verified needs every item ticked, a snapshot, a recording of
// both parties, and, when the citizen had no camera, the officer's
// acceptance of audio only; not verified needs a reason. A verified KYC
// unlocks the citizen's application naming the same persons for
// ValidDays; the citizen is told either way.
func (k *KYC) Decide(by domain.Actor, id string, cl Checklist) (Booking, error) {
	if !by.HasAny(OfficerRoles...) {
		return Booking{}, forbidden()
	}
	b, err := k.Booking(by, id)
	if err != nil {
		return b, err
	}
	if b.Outcome != nil {
		return b, domain.Bilingual(domain.ECONFLICT, domain.T("The outcome of this call is recorded already.", "ഈ കോളിന്റെ ഫലം ഇതിനകം രേഖപ്പെടുത്തി."))
	}
	if b.Slot == nil {
		return b, domain.Bilingual(domain.EINVALID, domain.T("No call has been booked for this application.", "ഈ അപേക്ഷയ്ക്ക് കോൾ ബുക്ക് ചെയ്തിട്ടില്ല."))
	}
	fe := domain.FieldErrors{}
	cl.Reason = strings.TrimSpace(cl.Reason)
	if cl.Verified {
		if strings.TrimSpace(cl.IDDocument) == "" || !cl.IDMatches {
			fe.Add("id_matches", domain.T("Say which document was shown and confirm it matches the application.", "കാണിച്ച രേഖ ഏതെന്നും അത് അപേക്ഷയുമായി ഒത്തുപോകുന്നുവെന്നും രേഖപ്പെടുത്തുക."))
		}
		for _, p := range b.Persons {
			if !slices.Contains(cl.Appeared, p.Field) {
				fe.Add("appeared", domain.T(fmt.Sprintf("%s (%s) must appear and be named.", p.Name.En, p.Role.En), fmt.Sprintf("%s (%s) ഹാജരായി പേര് പറയണം.", p.Name.In("ml"), p.Role.Ml)))
			}
		}
		if !cl.ConsentRead {
			fe.Add("consent_read", domain.T("The consent statement must be read out.", "സമ്മതപത്രം വായിക്കണം."))
		}
		if len(b.Snapshots) == 0 {
			fe.Add("snapshot", domain.T("Take at least one snapshot of the ID shown to the camera.", "ക്യാമറയിൽ കാണിച്ച തിരിച്ചറിയൽ രേഖയുടെ ഒരു സ്നാപ്പ്ഷോട്ടെങ്കിലും എടുക്കുക."))
		}
		if b.AudioOnly && !cl.AudioOnlyAccepted {
			fe.Add("audio_only_accepted", domain.T("The citizen joined without a camera: accept audio only, or record the KYC as not verified.", "പൗരൻ ക്യാമറയില്ലാതെയാണ് ചേർന്നത്: ഓഡിയോ മാത്രം സ്വീകരിക്കുക, അല്ലെങ്കിൽ പരിശോധിച്ചില്ലെന്ന് രേഖപ്പെടുത്തുക."))
		}
		if !joined(b, SideCitizen) || !joined(b, SideOfficer) {
			fe.Add("call", domain.T("The citizen and an officer must both have joined the call.", "പൗരനും ഓഫീസറും കോളിൽ ചേർന്നിരിക്കണം."))
		}
	} else if cl.Reason == "" {
		fe.Add("reason", domain.T("Say why the identity could not be verified: the citizen is told.", "തിരിച്ചറിയൽ ഉറപ്പാക്കാനാകാത്തതിന്റെ കാരണം നൽകുക: പൗരനെ അറിയിക്കും."))
	}
	if err := fe.Err(); err != nil {
		return b, err
	}
	defer k.endDone(id)
	if err := k.endCall(id); err != nil {
		return b, fmt.Errorf("keeping the recording: %w", err)
	}
	now := k.Now()
	return k.update(id, func(tx *store.Tx, b *Booking) error {
		if b.Outcome != nil {
			return domain.Bilingual(domain.ECONFLICT, domain.T("The outcome of this call is recorded already.", "ഈ കോളിന്റെ ഫലം ഇതിനകം രേഖപ്പെടുത്തി."))
		}
		var recs []map[string]any
		var total int64
		for _, r := range b.Recordings {
			recs = append(recs, map[string]any{"sha256": r.SHA256, "bytes": r.Bytes, "partial": r.Partial})
			total += r.Bytes
		}
		if cl.Verified && total == 0 {
			return domain.FieldErrors{"call": domain.T("Nothing of the call was recorded: hold the call again.", "കോളിൽ ഒന്നും റെക്കോർഡ് ആയില്ല: കോൾ വീണ്ടും നടത്തുക.")}.Err()
		}
		o := Outcome{Checklist: cl, Officer: by.ID, OfficerName: by.Name, At: now}
		data := map[string]any{"number": b.Number, "citizen": b.Citizen, "officer": by.ID, "officer_name": by.Name,
			"service": b.Service, "subject": b.Subject, "recordings": recs, "snapshots": b.Snapshots, "id_document": cl.IDDocument}
		link := "/kyc/" + b.ID
		msg := messaging.Message{To: b.Citizen, Kind: messaging.KindNotice, Link: link}
		if cl.Verified {
			o.ValidUntil = now.AddDate(0, 0, k.settings().ValidDays)
			b.Status = StatusVerified
			data["valid_until"] = o.ValidUntil
			data["persons"] = b.Persons
			if err := tx.Put(entityValid, validKey(b.Citizen, b.Service, b.Subject), Verification{Booking: b.ID, By: by.ID, ValidUntil: o.ValidUntil}); err != nil {
				return err
			}
			until := o.ValidUntil.In(Kerala).Format("2 Jan 2006")
			msg.Subject = domain.T("Video KYC "+b.Number+" verified", "വീഡിയോ കെ.വൈ.സി. "+b.Number+" പരിശോധിച്ചു")
			msg.Body = domain.T("Your identity was verified on the video call. Submit your kept application by "+until+": open "+link+" and choose Continue my application.",
				"വീഡിയോ കോളിൽ നിങ്ങളുടെ തിരിച്ചറിയൽ ഉറപ്പാക്കി. "+until+"-നകം സൂക്ഷിച്ച അപേക്ഷ സമർപ്പിക്കുക: "+link+" തുറന്ന് അപേക്ഷ തുടരുക.")
		} else {
			b.Status = StatusNotVerified
			data["reason"] = cl.Reason
			msg.Subject = domain.T("Video KYC "+b.Number+": not verified", "വീഡിയോ കെ.വൈ.സി. "+b.Number+": ഉറപ്പാക്കാനായില്ല")
			msg.Body = domain.T("The office could not verify your identity on the call: "+cl.Reason+" Your application is kept: open "+link+" to continue it and book another call.",
				"കോളിൽ നിങ്ങളുടെ തിരിച്ചറിയൽ ഉറപ്പാക്കാനായില്ല: "+cl.Reason+" നിങ്ങളുടെ അപേക്ഷ സൂക്ഷിച്ചിട്ടുണ്ട്: "+link+" തുറന്ന് തുടർന്ന് മറ്റൊരു കോൾ ബുക്ക് ചെയ്യാം.")
		}
		b.Outcome = &o
		if _, err := messaging.Queue(tx, now, msg); err != nil {
			return err
		}
		t := EventNotVerified
		if cl.Verified {
			t = EventVerified
		}
		return tx.Emit(by.ID, t, entityBooking, b.ID, data)
	})
}

func joined(b Booking, side string) bool {
	for _, p := range b.Parts {
		if p.Side == side {
			return true
		}
	}
	return false
}

// Verified reports whether a citizen's application to svc with these
// values is covered by a verified KYC that has not expired: one made on a
// call for the same citizen and the same persons, or an administrator's
// override for the citizen and the service. A KYC for one application
// never unlocks another person's.
func Verified(st *store.Store, userID string, svc catalogue.Service, values map[string]string, now time.Time) (bool, error) {
	if svc.VideoKYC == nil {
		return true, nil
	}
	ok := false
	err := st.View(func(tx *store.Tx) error {
		for _, key := range []struct{ entity, id string }{
			{entityValid, validKey(userID, svc.Code, subject(svc, values))}, {entityOverride, overrideKey(userID, svc.Code)}} {
			var v Verification
			err := tx.Get(key.entity, key.id, &v)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if now.Before(v.ValidUntil) {
				ok = true
			}
		}
		return nil
	})
	return ok, err
}

// Override records, without a call, that an administrator verified a
// citizen's identity for a service (ksmart user kyc), with the reason; it
// stands for ValidDays like a call's.
func (k *KYC) Override(by domain.Actor, citizen domain.Actor, service, reason string) (time.Time, error) {
	if !by.Has(domain.RoleAdmin) {
		return time.Time{}, domain.Errorf(domain.EFORBIDDEN, "only an administrator may record a KYC without a call")
	}
	if !citizen.Has(domain.RoleCitizen) {
		return time.Time{}, domain.Errorf(domain.EINVALID, "%s is office staff; KYC is recorded for citizens", citizen.Name)
	}
	svc, ok := k.Catalogue.Get(service)
	if !ok || svc.VideoKYC == nil {
		return time.Time{}, domain.Errorf(domain.EINVALID, "service %q needs no video KYC", service)
	}
	if len(strings.TrimSpace(reason)) < 10 {
		return time.Time{}, domain.Errorf(domain.EINVALID, "give the reason for recording a KYC without a call (at least 10 characters), e.g. who verified the passport and where")
	}
	until := k.Now().AddDate(0, 0, k.settings().ValidDays)
	_, err := k.Store.Write(func(tx *store.Tx) error {
		if err := tx.Put(entityOverride, overrideKey(citizen.ID, service), Verification{By: by.ID, ValidUntil: until, Reason: reason}); err != nil {
			return err
		}
		return tx.Emit(by.ID, EventOverridden, entityOverride, overrideKey(citizen.ID, service), map[string]any{"citizen": citizen.ID,
			"service": service, "reason": reason, "valid_until": until})
	})
	return until, err
}
