package rbac

import rego.v1

default allow := false

# Ten roles, each granting actions on resource types.
roles := {
	"viewer": [{"action": "read", "resource": "*"}],
	"editor": [{"action": "read", "resource": "*"}, {"action": "write", "resource": "document"}],
	"admin": [{"action": "*", "resource": "*"}],
	"billing": [{"action": "read", "resource": "invoice"}, {"action": "write", "resource": "invoice"}],
	"support": [{"action": "read", "resource": "ticket"}, {"action": "write", "resource": "ticket"}],
	"auditor": [{"action": "read", "resource": "log"}],
	"developer": [{"action": "read", "resource": "repo"}, {"action": "write", "resource": "repo"}],
	"operator": [{"action": "restart", "resource": "service"}],
	"security": [{"action": "read", "resource": "finding"}, {"action": "write", "resource": "finding"}],
	"guest": [{"action": "read", "resource": "public"}],
}

user_roles contains role if {
	some role in input.user.roles
	roles[role]
}

grant_matches(grant) if {
	grant.action in {"*", input.action}
	grant.resource in {"*", input.resource.type}
}

allow if {
	some role in user_roles
	some grant in roles[role]
	grant_matches(grant)
}
