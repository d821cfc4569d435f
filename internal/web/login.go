package web

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/assay-dev/assay/internal/account"
)

// Signing in and out. The session cookie is HttpOnly (no script reads it),
// SameSite=Lax (other sites' forms do not carry it) and Secure unless the
// operator serves plain HTTP to other hosts (Options.InsecureCookies);
// browsers accept Secure cookies from http://localhost and 127.0.0.1.

// maxLoginForm caps the login form: a name, a password and where to go.
const maxLoginForm = 4 << 10

// clientAddr is the address a request came from, without the port. Proxies'
// forwarding headers are not trusted: a reporter behind a proxy counts
// logins per proxy address as well as per name.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// localPath keeps a post-login destination on this server: a path, not a
// URL elsewhere ("//evil.example" or "/\evil.example" are refused, and so
// is any control character: browsers drop tabs and newlines from a URL, so
// "/\t/evil.example" would become "//evil.example").
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, `/\`) || strings.HasPrefix(next, "/login") ||
		strings.ContainsFunc(next, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "/cases"
	}
	return next
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.showLogin(w, r, http.StatusOK, "", "")
}

func (s *Server) showLogin(w http.ResponseWriter, r *http.Request, code int, name, msg string) {
	next := r.URL.Query().Get("next")
	if r.Method == http.MethodPost {
		next = r.PostForm.Get("next")
	}
	w.WriteHeader(code)
	s.render(w, r, "login", map[string]any{"Title": "Sign in", "Next": localPath(next), "Name": name, "Error": msg})
}

// login checks a name and password under the rate limiter, and starts a
// session. Every attempt is audited.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	name, password := strings.TrimSpace(r.PostForm.Get("name")), r.PostForm.Get("password")
	addr := clientAddr(r)
	if name == "" || password == "" {
		s.showLogin(w, r, http.StatusBadRequest, name, "Give your account name and password.")
		return
	}
	if refusal, ok := s.limiter.Allow(name, addr); !ok {
		secs := int(math.Ceil(refusal.Wait.Seconds()))
		if refusal.First {
			s.recordLogin(r, name, account.ActionLoginLimited, fmt.Sprintf("refused for %ds", secs))
		}
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		s.showLogin(w, r, http.StatusTooManyRequests, name, fmt.Sprintf("Too many failed sign-ins: try again in %d seconds.", secs))
		return
	}
	u, err := s.accounts.Authenticate(r.Context(), name, password)
	if errors.Is(err, account.ErrBadCredentials) {
		s.limiter.Fail(name, addr)
		s.recordLogin(r, name, account.ActionLoginFailed, "")
		s.showLogin(w, r, http.StatusUnauthorized, name, "Wrong name or password.")
		return
	}
	if err != nil {
		s.internal(w, "sign in", err)
		return
	}
	s.limiter.Succeed(name)
	cookie, _, err := s.accounts.NewSession(r.Context(), u.ID)
	if err != nil {
		s.internal(w, "start session", err)
		return
	}
	http.SetCookie(w, s.cookie(cookie, int(account.SessionTTL.Seconds())))
	s.recordLogin(r, u.Name, account.ActionLogin, "role "+string(u.Role))
	http.Redirect(w, r, localPath(r.PostForm.Get("next")), http.StatusSeeOther)
}

func (s *Server) recordLogin(r *http.Request, name, action, detail string) {
	// The name is whatever was typed; no account's is longer than 64.
	if rs := []rune(name); len(rs) > 64 {
		name = string(rs[:64]) + "…"
	}
	if err := s.accounts.Record(r.Context(), account.Entry{Actor: name, Action: action, Subject: name, Detail: detail, Addr: clientAddr(r)}); err != nil {
		s.log.Error("audit log", "action", action, "err", err)
	}
}

func (s *Server) cookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: sessionCookie, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: !s.insecureCookies, SameSite: http.SameSiteLaxMode}
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.accounts.EndSession(r.Context(), c.Value); err != nil {
			s.internal(w, "end session", err)
			return
		}
	}
	s.audit(r, account.ActionLogout, actor(r), "")
	http.SetCookie(w, s.cookie("", -1))
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// auditPage shows the newest entries of the audit log (admins only).
func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) {
	entries, err := s.accounts.Audit(r.Context(), 500)
	if err != nil {
		s.internal(w, "audit log", err)
		return
	}
	s.render(w, r, "audit", map[string]any{"Title": "Audit log", "Entries": entries})
}
