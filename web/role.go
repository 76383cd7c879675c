package web

import (
	"crypto/subtle"
	"strings"
)

// Role is what an API key or a web app sign-in may do: a set of
// permissions, so that roles are ordered by inclusion. RoleAdmin holds
// every permission (admin ⊇ read and admin ⊇ ingest); RoleIngest and
// RoleRead are disjoint: the ingest key, which trackers put in browsers,
// reads nothing, and the read key sends no events.
type Role uint8

// The roles. A route needs one of them; a credential named in several key
// lists holds the union of their roles.
const (
	// RoleIngest sends events (POST /api/v1/events and Segment's /v1 paths):
	// the key that goes in browsers and apps.
	RoleIngest Role = 1 << iota
	// RoleRead reads reports, people, segments, members and exports, and
	// previews (segments, step rules) that save nothing; it signs in to the
	// web app.
	RoleRead
	// roleManage is the permission to change: segments, step rules,
	// webhooks, models and erasure.
	roleManage

	// RoleAdmin may do everything: read, change and ingest.
	RoleAdmin = RoleIngest | RoleRead | roleManage
)

// Allows says whether a holder of r may use what needs need.
func (r Role) Allows(need Role) bool { return need != 0 && r&need == need }

// String names the role: "ingest", "read", "admin", "ingest+read" for a key
// in both lists, "none".
func (r Role) String() string {
	switch {
	case r == 0:
		return "none"
	case r.Allows(RoleAdmin):
		return "admin"
	}
	var names []string
	if r.Allows(RoleIngest) {
		names = append(names, "ingest")
	}
	if r.Allows(RoleRead) {
		names = append(names, "read")
	}
	return strings.Join(names, "+")
}

// credential is one accepted secret (an API key or a web app password) and
// its role.
type credential struct {
	secret string
	role   Role
}

// credentials lists the accepted secrets with their roles.
type credentials []credential

// add appends secrets (empty ones are skipped) with role.
func (cs credentials) add(role Role, secrets ...string) credentials {
	for _, s := range secrets {
		if s != "" {
			cs = append(cs, credential{secret: s, role: role})
		}
	}
	return cs
}

// roleOf returns the union of the roles of every credential equal to got
// (0 when none is), comparing in constant time against every one of them.
func (cs credentials) roleOf(got string) Role {
	var r Role
	for _, c := range cs {
		if subtle.ConstantTimeCompare([]byte(got), []byte(c.secret)) == 1 {
			r |= c.role
		}
	}
	return r
}

// apiCredentials are the API keys of cfg with their roles.
func apiCredentials(cfg Config) credentials {
	var cs credentials
	cs = cs.add(RoleIngest, cfg.WriteKeys...)
	cs = cs.add(RoleRead, cfg.ReadKeys...)
	return cs.add(RoleAdmin, cfg.AdminKeys...)
}
