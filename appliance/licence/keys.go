package licence

// Every store layout of the licence module, in one place (schema version 1).
//
//	lic_licence  "<id>"                        → Licence (id: the serial, 10 digits)
//	lic_number   key index: the licence number → id
//	lic_status   "<stored status>/<id>"       → "" : the register by status
//	lic_expiry   "<valid_to YYYY-MM-DD>/<id>" → "" : licences in force, by the day they end
//	lic_holder   "<user id>/<id>"             → "" : a citizen's licences
//	lic_file     "<file id>"                   → id: the licence a file made or concerns
//	lic_cert     "<certificate number>"        → Certificate: every licence certificate printed
//	lic_msme     "<acknowledgement number>"    → Exemption: MSME acknowledgements recorded
//	lic_job      "<YYYY-MM-DD>"                → Job: what the day's job did
//	lic_reminded "<id>/<valid_to>/<days>"      → "" : a holder reminded, once per window
//	sequences "licence" (ids), "licence/<lb>/<year>" (numbers), "licence_certificate/<fy>"
const (
	entityLicence     = "lic_licence"
	indexNumber       = "lic_number"
	entityStatus      = "lic_status"
	entityExpiry      = "lic_expiry"
	entityHolder      = "lic_holder"
	entityFile        = "lic_file"
	entityCertificate = "lic_cert"
	entityMSME        = "lic_msme"
	entityJob         = "lic_job"
	entityReminded    = "lic_reminded"
)
