package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// sessionCookie is the name of the web app's sign-in cookie.
const sessionCookie = "jg_session"

// sessionTTL is how long a sign-in lasts.
const sessionTTL = 12 * time.Hour

// appAuth signs the web app's session cookies and CSRF tokens with a
// secret. A session is "expiry.nonce.credential.mac": credential is a MAC
// of the password signed in with, so the session's role is the one that
// password has in the server's configuration now (a key removed from it
// ends its sessions). Sign-outs are remembered, until the session would
// have expired, in a revocation list held in memory.
type appAuth struct {
	secret  []byte
	creds   credentials     // who may sign in, with their roles
	roles   map[string]Role // credential MAC → role
	now     func() time.Time
	mu      sync.Mutex
	revoked map[string]int64 // signed-out session nonces → their expiry (Unix seconds)
}

func newAppAuth(secret string, creds credentials, now func() time.Time) *appAuth {
	key := []byte(secret)
	if len(key) == 0 {
		key = make([]byte, 32)
		_, _ = rand.Read(key) // sign-ins then last as long as the process
	}
	a := &appAuth{secret: key, creds: creds, roles: map[string]Role{}, now: now, revoked: map[string]int64{}}
	for _, c := range creds {
		a.roles[a.credential(c.secret)] |= c.role
	}
	return a
}

func (a *appAuth) mac(parts ...string) string {
	m := hmac.New(sha256.New, a.secret)
	m.Write([]byte(strings.Join(parts, "|")))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// credential is what a session keeps of the password it was opened with.
func (a *appAuth) credential(password string) string { return a.mac("credential", password) }

// roleOf returns the role of a password (0 for a wrong one), comparing in
// constant time against every accepted one.
func (a *appAuth) roleOf(password string) Role { return a.creds.roleOf(password) }

// session is a signed-in session.
type session struct {
	nonce string
	role  Role
	exp   int64 // Unix seconds
}

// newSession returns a signed session value for a sign-in with password.
func (a *appAuth) newSession(password string) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	exp := strconv.FormatInt(a.now().Add(sessionTTL).Unix(), 10)
	nonce, cred := hex.EncodeToString(b), a.credential(password)
	return exp + "." + nonce + "." + cred + "." + a.mac("session", exp, nonce, cred)
}

// session returns the session of a value that is signed, unexpired, not
// signed out, and whose credential is still accepted.
func (a *appAuth) session(v string) (session, bool) {
	parts := strings.Split(v, ".")
	if len(parts) != 4 || !hmac.Equal([]byte(parts[3]), []byte(a.mac("session", parts[0], parts[1], parts[2]))) {
		return session{}, false
	}
	exp, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil || a.now().Unix() > exp {
		return session{}, false
	}
	role := a.roles[parts[2]]
	a.mu.Lock()
	_, revoked := a.revoked[parts[1]]
	a.mu.Unlock()
	if revoked || !role.Allows(RoleRead) {
		return session{}, false
	}
	return session{nonce: parts[1], role: role, exp: exp}, true
}

// revoke ends a session before it expires (sign-out), and forgets the
// revocations of sessions that expired since.
func (a *appAuth) revoke(s session) {
	now := a.now().Unix()
	a.mu.Lock()
	defer a.mu.Unlock()
	for nonce, exp := range a.revoked {
		if now > exp {
			delete(a.revoked, nonce)
		}
	}
	a.revoked[s.nonce] = s.exp
}

// csrfToken is the token forms of a session must send back.
func (a *appAuth) csrfToken(nonce string) string { return a.mac("csrf", nonce) }

// setCookie writes the session cookie: HttpOnly, SameSite=Strict, and
// Secure when the request came over TLS (directly or through a proxy).
func setSessionCookie(c *gin.Context, value string, maxAge int) {
	secure := c.Request.TLS != nil || c.GetHeader("X-Forwarded-Proto") == "https"
	http.SetCookie(c.Writer, &http.Cookie{Name: sessionCookie, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteStrictMode})
}

// requireSignIn sends people without a valid session to the sign-in page
// and checks the CSRF token of every form post. It keeps the session and
// its role in the context ("session", "role").
func (s *Server) requireSignIn() gin.HandlerFunc {
	return func(c *gin.Context) {
		v, _ := c.Cookie(sessionCookie)
		sess, ok := s.app.auth.session(v)
		if !ok {
			c.Redirect(http.StatusSeeOther, "/login?next="+urlQueryEscape(c.Request.URL.RequestURI()))
			c.Abort()
			return
		}
		token := s.app.auth.csrfToken(sess.nonce)
		if c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead {
			if subtle.ConstantTimeCompare([]byte(c.PostForm("csrf")), []byte(token)) != 1 {
				c.String(http.StatusForbidden, "invalid or missing CSRF token: reload the page and try again")
				c.Abort()
				return
			}
		}
		c.Set("csrf", token)
		c.Set("session", sess)
		c.Set("role", sess.role)
		c.Next()
	}
}

// requireRole lets signed-in people whose role allows need through, and
// answers 403 to the others.
func (s *Server) requireRole(need Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !s.signedInAs(c).Allows(need) {
			s.forbidden(c, need)
			return
		}
		c.Next()
	}
}

// requireRoleToSave is requireRole(need) for the forms that preview or
// save (the button pressed says which, as action=save): anyone signed in
// may preview; saving needs need.
func (s *Server) requireRoleToSave(need Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.PostForm("action") == "save" && !s.signedInAs(c).Allows(need) {
			s.forbidden(c, need)
			return
		}
		c.Next()
	}
}

// signedInAs is the role of the request's session (0 outside requireSignIn).
func (s *Server) signedInAs(c *gin.Context) Role {
	r, _ := c.Get("role")
	role, _ := r.(Role)
	return role
}

func (s *Server) forbidden(c *gin.Context, need Role) {
	c.String(http.StatusForbidden, "%s %s needs the %s role; you signed in with the %s role: sign in with an admin key or password to do it",
		c.Request.Method, c.FullPath(), need, s.signedInAs(c))
	c.Abort()
}

// loginData is the sign-in page's.
type loginData struct {
	layout
	Next string // where to go once signed in
}

func (*loginData) pageName() string { return "login" }

func (s *Server) loginPage(c *gin.Context) {
	s.render(c, http.StatusOK, &loginData{Next: safeNext(c.Query("next"))})
}

// login signs in with a password or API key whose role reads. Wrong
// passwords are throttled per client address (signInThrottle).
func (s *Server) login(c *gin.Context) {
	next := safeNext(c.PostForm("next"))
	client := c.RemoteIP()
	if wait := s.app.throttle.wait(client); wait > 0 {
		secs := int((wait + time.Second - 1) / time.Second)
		c.Header("Retry-After", strconv.Itoa(secs))
		s.render(c, http.StatusTooManyRequests, &loginData{Next: next,
			layout: layout{Error: fmt.Sprintf("too many wrong passwords from your address: try again in %d s", secs)}})
		return
	}
	password := c.PostForm("password")
	role := s.app.auth.roleOf(password)
	switch {
	case role == 0:
		s.app.throttle.fail(client)
		s.render(c, http.StatusUnauthorized, &loginData{Next: next, layout: layout{Error: "wrong password"}})
		return
	case !role.Allows(RoleRead):
		s.render(c, http.StatusForbidden, &loginData{Next: next,
			layout: layout{Error: "this key only sends events (ingest role): sign in with a read or admin key"}})
		return
	}
	setSessionCookie(c, s.app.auth.newSession(password), int(sessionTTL.Seconds()))
	c.Redirect(http.StatusSeeOther, next)
}

// logout revokes the session (a copy of its cookie no longer works) and
// clears the cookie.
func (s *Server) logout(c *gin.Context) {
	if sess, ok := c.Get("session"); ok {
		s.app.auth.revoke(sess.(session))
	}
	setSessionCookie(c, "", -1)
	c.Redirect(http.StatusSeeOther, "/login")
}

// safeNext keeps redirects after sign-in inside the app: next must be a
// path (no scheme, no host, no backslash, no control character) that is
// /app or below it once cleaned; anything else gives /app.
func safeNext(next string) string {
	const home = "/app"
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\") {
		return home
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f {
			return home
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || strings.ContainsAny(u.Path, "\\") {
		return home
	}
	if clean := path.Clean(u.Path); clean != home && !strings.HasPrefix(clean, home+"/") {
		return home
	}
	return next
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
