package export

import (
	"strconv"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// MembersHeader names the columns of a segment's members export: the
// person's id, the contact traits an email tool imports (empty when the
// person has none), when they entered and the definition version they
// entered under.
var MembersHeader = []string{"id", "email", "first_name", "last_name", "name", "entered_at", "version"}

// MemberRow is one member's row of the export, under MembersHeader.
func MemberRow(m journeys.MemberContact) []string {
	return []string{m.Person, m.Email, m.FirstName, m.LastName, m.Name, m.Since.Format(time.RFC3339Nano), strconv.Itoa(m.Version)}
}
