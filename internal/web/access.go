package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/assay-dev/assay/internal/account"
	"github.com/assay-dev/assay/internal/casestore"
)

// Access control. Every route is registered through Server.route with an
// access policy: who may call it (anyone, any signed-in account, staff,
// admins, brand managers) and, for routes naming one object (a case, a
// notice, a brand, an uploaded photo), that the object's brand is one the
// account sees. Routes() lists them all, so a test can walk every route as
// every role and a route added without a policy cannot be registered.
// Lists are cut to the account's brands by the store (casestore.Scope),
// not by the templates.

// object is what a route's path names, whose brand decides access.
type object int

const (
	noObject object = iota
	caseObject
	noticeObject
	brandObject
	uploadObject
)

// access is a route's policy.
type access struct {
	label  string
	public bool
	// roles may call the route; nil means every signed-in account.
	roles  []account.Role
	object object
	param  string
}

func public() access   { return access{label: "anyone", public: true} }
func signedIn() access { return access{label: "signed in"} }
func staffOnly() access {
	return access{label: "admin, analyst", roles: []account.Role{account.Admin, account.Analyst}}
}
func adminOnly() access { return access{label: "admin", roles: []account.Role{account.Admin}} }

// brandManagers register and edit brands: admins, and owners for their
// own brands.
func brandManagers() access {
	return access{label: "admin, owner", roles: []account.Role{account.Admin, account.Owner}}
}

// of adds that the object named by the path parameter must be of a brand
// the account sees.
func (a access) of(o object, param string) access {
	a.object, a.param = o, param
	a.label += " (" + [...]string{"", "own brand's case", "own brand's notice", "own brand", "own brand's photo"}[o] + ")"
	return a
}

// listing marks, for the route list, a route whose answer the store cuts
// to the account's brands.
func (a access) listing() access {
	a.label += " (own brands' cases only)"
	return a
}

// Route is one registered route and who may call it.
type Route struct {
	Pattern string
	Access  string
}

// Routes lists every route the server answers, with its policy.
func (s *Server) Routes() []Route { return slices.Clone(s.routes) }

// route registers a handler under its access policy.
func (s *Server) route(pattern string, a access, h http.HandlerFunc) {
	if a.label == "" {
		panic("web: route " + pattern + " registered without an access policy")
	}
	s.routes = append(s.routes, Route{Pattern: pattern, Access: a.label})
	s.mux.Handle(pattern, s.guard(a, h))
}

type identityKey struct{}

// identity is who the request comes from (nil on public routes when
// nobody is signed in).
func identity(r *http.Request) *account.Identity {
	id, _ := r.Context().Value(identityKey{}).(*account.Identity)
	return id
}

// actor is the signed-in account's name: decisions and notices are
// recorded under it, not under a name typed into a form.
func actor(r *http.Request) string {
	if id := identity(r); id != nil {
		return id.User.Name
	}
	return ""
}

// scope is what the request's account may see of the cases.
func scope(r *http.Request) casestore.Scope {
	id := identity(r)
	switch {
	case id == nil:
		return casestore.Only()
	case id.User.Staff():
		return casestore.Scope{}
	}
	return casestore.Only(id.User.Brands...)
}

const sessionCookie = "assay_session"

// authenticate finds who sent the request: an API token in the
// Authorization header, or else the session cookie. A header that is
// there but wrong is an error, never a fall back to the cookie.
func (s *Server) authenticate(r *http.Request) (*account.Identity, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return nil, account.ErrNoSession
		}
		return s.accounts.TokenIdentity(r.Context(), strings.TrimSpace(tok))
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, account.ErrNoSession
	}
	return s.accounts.Session(r.Context(), c.Value)
}

func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// guard enforces a route's policy before its handler runs.
func (s *Server) guard(a access, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := s.authenticate(r)
		switch {
		case err == nil:
			r = r.WithContext(context.WithValue(r.Context(), identityKey{}, id))
		case !errors.Is(err, account.ErrNoSession):
			s.deny(w, r, http.StatusInternalServerError, "authenticate", err)
			return
		}
		if a.public {
			h(w, r)
			return
		}
		if id == nil {
			s.signInFirst(w, r)
			return
		}
		if a.roles != nil && !slices.Contains(a.roles, id.User.Role) {
			s.deny(w, r, http.StatusForbidden, "a "+string(id.User.Role)+" account may not do this", nil)
			return
		}
		if id.Token == "" && !safeMethod(r.Method) && !s.validCSRF(w, r, id) {
			return
		}
		if a.object != noObject && !id.User.Staff() {
			ok, err := s.owns(r, id.User, a.object, r.PathValue(a.param))
			if err != nil {
				s.deny(w, r, http.StatusInternalServerError, "check access", err)
				return
			}
			if !ok {
				// Not 403: whether another brand's case exists is no
				// business of this account.
				s.deny(w, r, http.StatusNotFound, "not found", nil)
				return
			}
		}
		h(w, r)
	})
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// owns reports whether a brand owner sees the object the path names.
// Objects that do not exist are reported as not seen: the answer is the
// same 404 either way.
func (s *Server) owns(r *http.Request, u *account.User, o object, raw string) (bool, error) {
	ctx := r.Context()
	var brandID string
	switch o {
	case caseObject:
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return false, nil
		}
		brandID, err = s.store.CaseBrand(ctx, id)
		if errors.Is(err, casestore.ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
	case noticeObject:
		var err error
		brandID, err = s.store.NoticeBrand(ctx, raw)
		if errors.Is(err, casestore.ErrNoticeNotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
	case brandObject:
		brandID = raw
	case uploadObject:
		return s.ownsUpload(u, raw), nil
	}
	return u.Owns(brandID), nil
}

// ownsUpload: a stored reference photo belongs to the brands whose
// registration names it, as the brands topic has them.
func (s *Server) ownsUpload(u *account.User, name string) bool {
	if s.directory == nil {
		return false
	}
	for _, b := range u.Brands {
		if rec, ok := s.directory.Brand(b); ok && slices.Contains(rec.Brand.ReferenceImages, "uploads/"+name) {
			return true
		}
	}
	return false
}

// validCSRF checks a cookie-authenticated state change carries the
// session's token, in the form's csrf field or the X-CSRF-Token header.
// Forms are read here, under the size limits their handlers set.
func (s *Server) validCSRF(w http.ResponseWriter, r *http.Request, id *account.Identity) bool {
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		ct := r.Header.Get("Content-Type")
		var code int
		var msg string
		switch {
		case strings.HasPrefix(ct, "multipart/form-data"):
			r.Body = http.MaxBytesReader(w, r.Body, maxUploadBytes)
			if err := r.ParseMultipartForm(8 << 20); err != nil {
				code, msg = formError(err)
			}
		case strings.HasPrefix(ct, "application/x-www-form-urlencoded"):
			code, msg = readForm(w, r, maxFormBytes*8)
		}
		if code != 0 {
			s.deny(w, r, code, msg, nil)
			return false
		}
		got = r.PostFormValue("csrf")
	}
	if !account.SameSecret(got, id.CSRF) {
		s.deny(w, r, http.StatusForbidden, "the form carries no valid CSRF token (stale page? reload it and try again)", nil)
		return false
	}
	return true
}

// signInFirst answers a request nobody signed: a page sends the browser
// to the login form, the API answers 401.
func (s *Server) signInFirst(w http.ResponseWriter, r *http.Request) {
	if isAPI(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="assay"`)
		s.apiError(w, http.StatusUnauthorized, errors.New("sign in: send an API token as Authorization: Bearer TOKEN (reporter tokens add)"))
		return
	}
	if safeMethod(r.Method) {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	s.fail(w, http.StatusUnauthorized, "sign in first: /login")
}

// deny answers a refused or failed request in the route's own format.
func (s *Server) deny(w http.ResponseWriter, r *http.Request, code int, msg string, err error) {
	if code == http.StatusInternalServerError {
		s.log.Error(msg, "err", err)
		msg = "the case database failed; see the reporter's log"
	}
	if isAPI(r) {
		s.apiJSON(w, code, map[string]string{"error": msg})
		return
	}
	s.fail(w, code, msg)
}

// audit records what an account did; a failure to record is logged, the
// action itself already done.
func (s *Server) audit(r *http.Request, action, subject, detail string) {
	e := account.Entry{Actor: actor(r), Action: action, Subject: subject, Detail: detail, Addr: clientAddr(r)}
	if err := s.accounts.Record(r.Context(), e); err != nil {
		s.log.Error("audit log", "action", action, "subject", subject, "err", err)
	}
}
