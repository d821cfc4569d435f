package web

import (
	"context"
	"errors"
	"fmt"
	"mime"
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
// not by the templates. A route that takes a form has its size cap in its
// policy too: the guard reads the form under it before the CSRF check,
// for cookies and tokens alike, and handlers use what it read.

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
	// anonymous routes never ask who is calling (static files), so the
	// guard does not look the caller up.
	anonymous bool
	// roles may call the route; nil means every signed-in account.
	roles  []account.Role
	object object
	param  string
	// formLimit, if set, caps the form the route takes, which the guard
	// reads before anything else: the CSRF check and the handler see the
	// one form, under the one cap. multipart routes take only multipart
	// forms; tooLarge, if set, answers a form over the cap.
	formLimit int64
	multipart bool
	tooLarge  string
}

func public() access          { return access{label: "anyone", public: true} }
func unauthenticated() access { return access{label: "anyone", public: true, anonymous: true} }
func signedIn() access        { return access{label: "signed in"} }
func staffOnly() access {
	return access{label: "admin, analyst", roles: []account.Role{account.Admin, account.Analyst}}
}
func adminOnly() access { return access{label: "admin", roles: []account.Role{account.Admin}} }

// brandManagers register and edit brands: admins, and owners for their
// own brands.
func brandManagers() access {
	return access{label: "admin, owner", roles: []account.Role{account.Admin, account.Owner}}
}

// allows reports whether the policy lets the account call the route, its
// object aside: the guard asks it, and so do the pages (render's Can),
// which offer only what the routes behind them allow.
func (a access) allows(u *account.User) bool {
	return a.roles == nil || slices.Contains(a.roles, u.Role)
}

// of adds that the object named by the path parameter must be of a brand
// the account sees.
func (a access) of(o object, param string) access {
	a.object, a.param = o, param
	a.label += " (" + [...]string{"", "own brand's case", "own brand's notice", "own brand", "own brand's photo"}[o] + ")"
	return a
}

// form says the route takes a posted form (url-encoded or multipart) of
// at most limit bytes.
func (a access) form(limit int64) access {
	a.formLimit = limit
	return a
}

// upload says the route takes a multipart form of at most limit bytes,
// and what to answer one over it.
func (a access) upload(limit int64, tooLarge string) access {
	a.formLimit, a.multipart, a.tooLarge = limit, true, tooLarge
	return a
}

// maxFormMemory is how much of a multipart form is kept in memory; the
// rest of its files go to temporary files.
const maxFormMemory = 8 << 20

// readForm reads the route's form under its cap. A status of 0 means it
// was read; otherwise the status and message say why not: 413 for a form
// over the cap, 400 for one that does not parse.
func (a access) readForm(w http.ResponseWriter, r *http.Request) (int, string) {
	r.Body = http.MaxBytesReader(w, r.Body, a.formLimit)
	var err error
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); a.multipart || mt == "multipart/form-data" {
		err = r.ParseMultipartForm(maxFormMemory)
	} else {
		err = r.ParseForm()
	}
	if err == nil {
		return 0, ""
	}
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok && a.tooLarge != "" {
		return http.StatusRequestEntityTooLarge, a.tooLarge
	}
	return formError(err)
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
	policy  access
}

// Routes lists every route the server answers, with its policy.
func (s *Server) Routes() []Route { return slices.Clone(s.routes) }

// route registers a handler under its access policy.
func (s *Server) route(pattern string, a access, h http.HandlerFunc) {
	if a.label == "" {
		panic("web: route " + pattern + " registered without an access policy")
	}
	s.routes = append(s.routes, Route{Pattern: pattern, Access: a.label, policy: a})
	s.mux.Handle(pattern, s.guard(a, h))
}

// pageActions are what pages offer, each with the routes behind it: the
// links and forms that call them. A page offers an action when every one
// of those routes' policies lets the account call it (render's Can), so a
// route's policy changed in New changes the pages with it.
func pageActions() map[string][]string {
	return map[string][]string{
		"decide":       {"POST /cases/{id}/status", "POST /cases/bulk"},
		"issueNotices": {"POST /notices", "POST /notices/{id}/submit", "POST /notices/{id}/outcome"},
		"manageBrands": {"GET /brands/new", "GET /brands/{id}/edit", "POST /brands"},
		"audit":        {"GET /audit"},
	}
}

// actionPolicies gathers the policies of the routes behind each page
// action, once every route is registered.
func (s *Server) actionPolicies() (map[string][]access, error) {
	out := map[string][]access{}
	for action, patterns := range pageActions() {
		for _, p := range patterns {
			i := slices.IndexFunc(s.routes, func(r Route) bool { return r.Pattern == p })
			if i < 0 {
				return nil, fmt.Errorf("web: page action %s names route %q, which is not registered", action, p)
			}
			out[action] = append(out[action], s.routes[i].policy)
		}
	}
	return out, nil
}

// can says which page actions the account may take.
func (s *Server) can(u *account.User) map[string]bool {
	can := map[string]bool{}
	for action, policies := range s.actions {
		can[action] = !slices.ContainsFunc(policies, func(a access) bool { return !a.allows(u) })
	}
	return can
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
		if a.anonymous {
			h(w, r)
			return
		}
		id, err := s.authenticate(r)
		switch {
		case err == nil:
			r = r.WithContext(context.WithValue(r.Context(), identityKey{}, id))
		case !errors.Is(err, account.ErrNoSession):
			s.deny(w, r, http.StatusInternalServerError, "authenticate", err)
			return
		}
		if !a.public {
			if id == nil {
				s.signInFirst(w, r)
				return
			}
			if !a.allows(id.User) {
				s.deny(w, r, http.StatusForbidden, "a "+string(id.User.Role)+" account may not do this", nil)
				return
			}
		}
		if a.formLimit > 0 && !safeMethod(r.Method) {
			if code, msg := a.readForm(w, r); code != 0 {
				s.deny(w, r, code, msg, nil)
				return
			}
			if r.MultipartForm != nil {
				// The server removes the temporary files of the request it
				// was given, not of this copy with the identity.
				defer r.MultipartForm.RemoveAll()
			}
		}
		if a.public {
			h(w, r)
			return
		}
		if id.Token == "" && !safeMethod(r.Method) && !validCSRF(r, id) {
			s.deny(w, r, http.StatusForbidden, "the form carries no valid CSRF token (stale page? reload it and try again)", nil)
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
// session's token, in the X-CSRF-Token header or the form's csrf field
// (the guard has read the form of a route that takes one; other routes
// take JSON, and the header).
func validCSRF(r *http.Request, id *account.Identity) bool {
	got := r.Header.Get("X-CSRF-Token")
	if got == "" && r.PostForm != nil {
		got = r.PostForm.Get("csrf")
	}
	return account.SameSecret(got, id.CSRF)
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

// deny answers a refused or failed request in the route's own format; a
// 500's msg says what failed, for the log.
func (s *Server) deny(w http.ResponseWriter, r *http.Request, code int, msg string, err error) {
	switch {
	case code == http.StatusInternalServerError && isAPI(r):
		s.apiError(w, code, fmt.Errorf("%s: %w", msg, err))
	case code == http.StatusInternalServerError:
		s.internal(w, msg, err)
	case isAPI(r):
		s.apiError(w, code, errors.New(msg))
	default:
		s.fail(w, code, msg)
	}
}

// audit records what an account did; a failure to record is logged, the
// action itself already done.
func (s *Server) audit(r *http.Request, action, subject, detail string) {
	e := account.Entry{Actor: actor(r), Action: action, Subject: subject, Detail: detail, Addr: clientAddr(r)}
	if err := s.accounts.Record(r.Context(), e); err != nil {
		s.log.Error("audit log", "action", action, "subject", subject, "err", err)
	}
}
