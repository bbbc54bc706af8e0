package k8s.admission

import rego.v1

allowed_registries := ["registry.internal/", "ghcr.io/astral/"]

deny contains msg if {
	some c in input.request.object.spec.containers
	not trusted_image(c.image)
	msg := sprintf("container %s uses untrusted image %s", [c.name, c.image])
}

deny contains msg if {
	some c in input.request.object.spec.containers
	c.securityContext.privileged
	msg := sprintf("container %s is privileged", [c.name])
}

deny contains msg if {
	some c in input.request.object.spec.containers
	not c.resources.limits.memory
	msg := sprintf("container %s has no memory limit", [c.name])
}

trusted_image(image) if {
	some prefix in allowed_registries
	startswith(image, prefix)
}

allowed if count(deny) == 0
