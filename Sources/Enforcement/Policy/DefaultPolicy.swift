/// The policy every new tenant starts with, as an editable Rego module.
///
/// It answers `data.astral.gateway.decision` with
/// `{"action": ..., "reasons": [...], "redact": [types]}` and implements the
/// table of docs/serve.md with precedence block > challenge > redact > warn > allow,
/// reading the tenant's settings from `data.astral.config`.
public enum DefaultPolicy {
    /// The policy id under which it is stored.
    public static let id = "default"

    /// The query the gateway evaluates.
    public static let decisionQuery = "data.astral.gateway.decision"

    /// The Rego source.
    public static let module = #"""
        package astral.gateway

        import rego.v1

        # Entity groups (canonical names of CONTRACTS.md section 1).
        pci_and_government_ids := {
        	"CREDIT_CARD", "IBAN_CODE", "US_BANK_NUMBER", "ABA_ROUTING_NUMBER", "CRYPTO",
        	"US_SSN", "US_ITIN", "US_PASSPORT", "US_DRIVER_LICENSE", "UK_NINO", "UK_NHS",
        	"ES_NIF", "ES_NIE", "IT_FISCAL_CODE", "IT_DRIVER_LICENSE", "IT_VAT_CODE", "IT_PASSPORT",
        	"IT_IDENTITY_CARD", "PL_PESEL", "SG_NRIC_FIN", "SG_UEN", "AU_ABN", "AU_ACN", "AU_TFN",
        	"AU_MEDICARE", "IN_PAN", "IN_AADHAAR", "IN_VEHICLE_REGISTRATION", "IN_VOTER", "IN_PASSPORT",
        	"FI_PERSONAL_IDENTITY_CODE", "KR_RRN", "TH_TNIN",
        }

        phi := {"MEDICAL_RECORD_NUMBER", "US_NPI", "DEA_NUMBER", "ICD10_CODE", "MEDICAL_LICENSE"}

        # Settings from data.astral.config; an unset setting means "no restriction".
        finding_threshold_set if is_number(data.astral.config.thresholds.finding)

        injection_threshold_set if is_number(data.astral.config.thresholds.injection)

        # What the scan found, above the tenant's threshold when one is set.
        found contains f.type if {
        	some f in input.findings
        	not finding_threshold_set
        }

        found contains f.type if {
        	some f in input.findings
        	finding_threshold_set
        	f.score >= data.astral.config.thresholds.finding
        }

        injection_attack if {
        	not injection_threshold_set
        	input.injection.attack == true
        }

        injection_attack if {
        	injection_threshold_set
        	input.injection.score >= data.astral.config.thresholds.injection
        }

        request if input.direction == "request"

        response if input.direction == "response"

        baa_provider if input.provider in data.astral.config.baa_providers

        provider_allowed if not is_array(data.astral.config.allowed_providers)

        provider_allowed if count(data.astral.config.allowed_providers) == 0

        provider_allowed if input.provider in data.astral.config.allowed_providers

        # One entry per rule that fires: {"action", "reason", "type"}.
        violations contains {"action": "block", "reason": "prompt injection detected", "type": "INJECTION"} if {
        	request
        	injection_attack
        }

        violations contains {"action": "warn", "reason": "prompt injection pattern in response", "type": "INJECTION"} if {
        	response
        	injection_attack
        }

        violations contains {"action": "block", "reason": "secret in request", "type": "SECRET"} if {
        	request
        	"SECRET" in found
        }

        violations contains {"action": "redact", "reason": "secret in response", "type": "SECRET"} if {
        	response
        	"SECRET" in found
        }

        violations contains {"action": "redact", "reason": concat("", [t, " redacted"]), "type": t} if {
        	some t in found
        	t in pci_and_government_ids
        }

        violations contains {"action": "block", "reason": concat("", [t, " to a provider without a BAA"]), "type": t} if {
        	request
        	not baa_provider
        	some t in found
        	t in phi
        }

        violations contains {"action": "redact", "reason": concat("", [t, " redacted"]), "type": t} if {
        	request
        	baa_provider
        	some t in found
        	t in phi
        }

        violations contains {"action": "redact", "reason": concat("", [t, " redacted"]), "type": t} if {
        	response
        	some t in found
        	t in phi
        }

        violations contains {"action": "block", "reason": concat("", ["provider ", input.provider, " is not allowed"]), "type": "PROVIDER"} if {
        	request
        	not provider_allowed
        }

        actions contains v.action if some v in violations

        default action := "allow"

        action := "block" if "block" in actions

        action := "challenge" if {
        	not "block" in actions
        	"challenge" in actions
        }

        action := "redact" if {
        	not "block" in actions
        	not "challenge" in actions
        	"redact" in actions
        }

        action := "warn" if {
        	not "block" in actions
        	not "challenge" in actions
        	not "redact" in actions
        	"warn" in actions
        }

        reasons contains v.reason if some v in violations

        redact contains v.type if {
        	some v in violations
        	v.action == "redact"
        }

        decision := {"action": action, "reasons": reasons, "redact": redact}
        """#
}
