package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// sessionCookie is the name of the web app's sign-in cookie.
const sessionCookie = "jg_session"

// sessionTTL is how long a sign-in lasts.
const sessionTTL = 12 * time.Hour

// appAuth signs the web app's session cookies and CSRF tokens with a
// secret; a session is "expiry.nonce.mac", so the server keeps no state.
type appAuth struct {
	secret    []byte
	passwords []string
	now       func() time.Time
}

func newAppAuth(secret string, passwords []string, now func() time.Time) *appAuth {
	key := []byte(secret)
	if len(key) == 0 {
		key = make([]byte, 32)
		_, _ = rand.Read(key) // sign-ins then last as long as the process
	}
	return &appAuth{secret: key, passwords: passwords, now: now}
}

func (a *appAuth) mac(parts ...string) string {
	m := hmac.New(sha256.New, a.secret)
	m.Write([]byte(strings.Join(parts, "|")))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// checkPassword compares in constant time against every accepted password.
func (a *appAuth) checkPassword(p string) bool {
	ok := false
	for _, want := range a.passwords {
		if want != "" && subtle.ConstantTimeCompare([]byte(p), []byte(want)) == 1 {
			ok = true
		}
	}
	return ok
}

// newSession returns a signed session value.
func (a *appAuth) newSession() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	exp := strconv.FormatInt(a.now().Add(sessionTTL).Unix(), 10)
	nonce := hex.EncodeToString(b)
	return exp + "." + nonce + "." + a.mac("session", exp, nonce)
}

// session returns the nonce of a valid, unexpired session value.
func (a *appAuth) session(v string) (string, bool) {
	parts := strings.Split(v, ".")
	if len(parts) != 3 || !hmac.Equal([]byte(parts[2]), []byte(a.mac("session", parts[0], parts[1]))) {
		return "", false
	}
	exp, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil || a.now().Unix() > exp {
		return "", false
	}
	return parts[1], true
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
// and checks the CSRF token of every form post.
func (s *Server) requireSignIn() gin.HandlerFunc {
	return func(c *gin.Context) {
		v, _ := c.Cookie(sessionCookie)
		nonce, ok := s.app.auth.session(v)
		if !ok {
			c.Redirect(http.StatusSeeOther, "/login?next="+urlQueryEscape(c.Request.URL.RequestURI()))
			c.Abort()
			return
		}
		token := s.app.auth.csrfToken(nonce)
		if c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead {
			if subtle.ConstantTimeCompare([]byte(c.PostForm("csrf")), []byte(token)) != 1 {
				c.String(http.StatusForbidden, "invalid or missing CSRF token: reload the page and try again")
				c.Abort()
				return
			}
		}
		c.Set("csrf", token)
		c.Next()
	}
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

func (s *Server) login(c *gin.Context) {
	next := safeNext(c.PostForm("next"))
	if !s.app.auth.checkPassword(c.PostForm("password")) {
		s.render(c, http.StatusUnauthorized, &loginData{Next: next, layout: layout{Error: "wrong password"}})
		return
	}
	setSessionCookie(c, s.app.auth.newSession(), int(sessionTTL.Seconds()))
	c.Redirect(http.StatusSeeOther, next)
}

func (s *Server) logout(c *gin.Context) {
	setSessionCookie(c, "", -1)
	c.Redirect(http.StatusSeeOther, "/login")
}

// safeNext keeps redirects after sign-in inside the app.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/app") || strings.HasPrefix(next, "//") {
		return "/app"
	}
	return next
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
