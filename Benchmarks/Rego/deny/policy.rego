package findings

import rego.v1

blocked_categories := {"secret", "pii", "prompt_injection"}

deny contains msg if {
	some f in input.findings
	f.category in blocked_categories
	f.score >= input.threshold
	msg := sprintf("%s finding %s at offset %d (score %.2f)", [f.category, f.id, f.offset, f.score])
}

deny contains msg if {
	some f in input.findings
	f.severity == "critical"
	msg := sprintf("critical finding %s", [f.id])
}
