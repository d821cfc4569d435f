// Package web serves the analyst UI of the reporter: the review queue and
// the case page with its evidence, decision buttons and audit trail. Pages
// are rendered on the server and work with JavaScript off; nothing is loaded
// from anywhere but this server. Every route is behind an access policy
// (access.go): accounts, sessions and tokens are package account's, cases
// package casestore's.
package web

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/assay-dev/assay/internal/account"
	"github.com/assay-dev/assay/internal/casestore"
	"github.com/assay-dev/assay/internal/reporter"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Limits of the forms (their routes' policies apply them): a decision or
// notice form holds a few fields and a reason; a bulk decision up to
// maxBulk case ids besides.
const (
	maxFormBytes = 16 << 10
	maxBulkForm  = 8 * maxFormBytes
)

// formError is the status and message for a form that could not be read.
func formError(err error) (int, string) {
	if tooBig, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return http.StatusRequestEntityTooLarge, fmt.Sprintf("the form is larger than the %d bytes accepted here", tooBig.Limit)
	}
	return http.StatusBadRequest, "the form could not be read: " + err.Error()
}

// Teacher tells the matchers what a decision taught (package reporter's
// Teacher publishes it to the feedback topic).
type Teacher interface {
	Teach(ctx context.Context, c *casestore.Case, to casestore.Status, why, actor, reason string) error
}

// Searcher finds cases by full text (package casesearch).
type Searcher interface {
	Search(ctx context.Context, q string, limit int) ([]int64, error)
}

// Options configures the UI.
type Options struct {
	// Accounts says who may sign in and what they may see (required).
	Accounts *account.Store
	// Limiter slows password guessing (account.NewLimiter() if nil).
	Limiter *account.Limiter
	// InsecureCookies drops the session cookie's Secure flag, for plain
	// HTTP to hosts other than localhost (browsers keep Secure cookies
	// from http://localhost and 127.0.0.1 anyway).
	InsecureCookies bool
	// Search, if set, enables the queue's full-text search box.
	Search Searcher
	// Brands, if set, enables brand registration, which publishes to it;
	// Uploads is the directory registered photos are kept in.
	Brands  BrandPublisher
	Uploads string
	Logger  *slog.Logger
	// Teacher, if set, is told every decision.
	Teacher Teacher
	// Images, if set, supplies the evidence photos shown on case pages.
	Images ImageSource
	// Directory, if set, enables takedown notices (it supplies each brand's
	// owner, contact and marks) and editing registered brands.
	Directory BrandDirectory
	// Strikes is the confirmed-case count that marks a repeat infringer
	// (0 means casestore.DefaultStrikes).
	Strikes int
}

// Server is the analyst UI.
type Server struct {
	store     *casestore.Store
	log       *slog.Logger
	teacher   Teacher
	search    Searcher
	brands    BrandPublisher
	uploads   string
	strikes   int
	directory BrandDirectory
	images    ImageSource
	pages     map[string]*template.Template
	mux       *http.ServeMux
	handler   http.Handler
	routes    []Route
	// actions holds the policies of the routes behind each page action
	// (pageActions).
	actions map[string][]access

	accounts        *account.Store
	limiter         *account.Limiter
	insecureCookies bool
}

// New builds the UI over a case store.
func New(store *casestore.Store, opts Options) (*Server, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.Accounts == nil {
		return nil, errors.New("web: Options.Accounts is required: every page is behind a sign-in")
	}
	s := &Server{store: store, log: log, teacher: opts.Teacher, search: opts.Search, brands: opts.Brands, uploads: opts.Uploads, strikes: opts.Strikes, directory: opts.Directory, images: opts.Images, pages: map[string]*template.Template{}, mux: http.NewServeMux(),
		accounts: opts.Accounts, limiter: opts.Limiter, insecureCookies: opts.InsecureCookies}
	if s.limiter == nil {
		s.limiter = account.NewLimiter()
	}
	if s.strikes <= 0 {
		s.strikes = casestore.DefaultStrikes
	}
	funcs := template.FuncMap{
		"highlight": highlight,
		"pct":       func(f float64) float64 { return 100 * f },
		"dur": func(d time.Duration) string {
			switch {
			case d <= 0:
				return "—"
			case d < time.Hour:
				return d.Round(time.Second).String()
			case d < 72*time.Hour:
				return fmt.Sprintf("%.1f hours", d.Hours())
			}
			return fmt.Sprintf("%.1f days", d.Hours()/24)
		},
	}
	for _, page := range []string{"queue", "case", "seller", "brand", "register", "notices", "notice", "login", "audit"} {
		t, err := template.New(page).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+page+".html")
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", page, err)
		}
		s.pages[page] = t
	}
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	staticFiles := http.StripPrefix("/static/", http.FileServerFS(static))
	s.route("GET /static/", unauthenticated(), staticFiles.ServeHTTP)
	s.route("GET /{$}", unauthenticated(), func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/cases", http.StatusFound) })
	s.route("GET /login", public(), s.loginPage)
	s.route("POST /login", public().form(maxLoginForm), s.login)
	s.route("POST /logout", signedIn().form(maxFormBytes), s.logout)
	s.route("GET /audit", adminOnly(), s.auditPage)
	s.route("GET /cases", signedIn().listing(), s.queue)
	s.route("GET /cases/{id}", signedIn().of(caseObject, "id"), s.casePage)
	s.route("POST /cases/{id}/status", staffOnly().form(maxFormBytes), s.decide)
	s.route("GET /cases/{id}/evidence/{n}/{k}/{which}", signedIn().of(caseObject, "id"), s.evidenceImage)
	s.route("POST /cases/bulk", staffOnly().form(maxBulkForm), s.bulk)
	s.route("GET /sellers/{id}", signedIn().listing(), s.sellerPage)
	s.route("GET /brands/{id}", signedIn().of(brandObject, "id"), s.brandPage)
	s.route("GET /brands/new", brandManagers(), s.registerForm)
	s.route("GET /brands/{id}/edit", brandManagers().of(brandObject, "id"), s.editForm)
	s.route("POST /brands", brandManagers().upload(maxUploadBytes, uploadTooLarge()), s.register)
	s.route("GET /uploads/{name}", signedIn().of(uploadObject, "name"), s.uploadFile)
	s.route("GET /notices", signedIn().listing(), s.noticesPage)
	s.route("POST /notices", staffOnly().form(maxFormBytes), s.buildNotice)
	s.route("GET /notices/{id}", signedIn().of(noticeObject, "id"), s.noticePage)
	s.route("GET /notices/{id}/file", signedIn().of(noticeObject, "id"), s.noticeFile)
	s.route("POST /notices/{id}/submit", staffOnly().form(maxFormBytes), s.submitNotice)
	s.route("POST /notices/{id}/outcome", staffOnly().form(maxFormBytes), s.outcome)
	s.apiRoutes()
	if s.actions, err = s.actionPolicies(); err != nil {
		return nil, err
	}
	// Go's cross-origin protection refuses state-changing requests a
	// browser marks as coming from another site (Sec-Fetch-Site, Origin),
	// beside the per-session CSRF token the forms carry.
	s.handler = http.NewCrossOriginProtection().Handler(s.mux)
	return s, nil
}

// ServeHTTP sets headers every page needs and routes the request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	// Nothing but this server may supply anything to a page.
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	s.handler.ServeHTTP(w, r)
}

var sorts = []string{"score", "age", "brand"}

var statuses = []casestore.Status{casestore.New, casestore.Confirmed, casestore.Dismissed, casestore.InNotice,
	casestore.Removed, casestore.Rejected, casestore.CounterNoticed, casestore.Reinstated}

const pageSize = 200

// caseFilter reads the queue's filters from a query, for the page and the
// API alike; q runs a full-text search.
func (s *Server) caseFilter(ctx context.Context, q url.Values, limit int, sc casestore.Scope) (casestore.Filter, error) {
	f := casestore.Filter{BrandID: q.Get("brand"), SellerID: q.Get("seller"), Marketplace: q.Get("marketplace"), Sort: q.Get("sort"), Limit: limit, Scope: sc}
	if f.Sort == "" {
		f.Sort = "score"
	}
	if !slices.Contains(sorts, f.Sort) {
		return f, fmt.Errorf("sort must be one of %s", strings.Join(sorts, ", "))
	}
	if st := q.Get("status"); st != "" {
		parsed, err := casestore.ParseStatus(st)
		if err != nil {
			return f, err
		}
		f.Status = parsed
	}
	if err := dateFilter(&f, q); err != nil {
		return f, err
	}
	if text := strings.TrimSpace(q.Get("q")); text != "" {
		if s.search == nil {
			return f, errors.New("full-text search is not enabled on this server")
		}
		ids, err := s.search.Search(ctx, text, 1000)
		if err != nil {
			return f, fmt.Errorf("the search could not be run: %w", err)
		}
		f.IDs = append([]int64{}, ids...)
	}
	return f, nil
}

func (s *Server) queue(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, err := s.caseFilter(r.Context(), q, pageSize+1, scope(r))
	if err != nil {
		s.fail(w, http.StatusBadRequest, err.Error())
		return
	}
	text := strings.TrimSpace(q.Get("q"))
	cases, err := s.store.List(r.Context(), f)
	if err != nil {
		s.internal(w, "list cases", err)
		return
	}
	brands, err := s.store.Brands(r.Context(), scope(r))
	if err != nil {
		s.internal(w, "list brands", err)
		return
	}
	more := len(cases) > pageSize
	if more {
		cases = cases[:pageSize]
	}
	s.render(w, r, "queue", map[string]any{"Title": "Review queue", "Cases": cases, "More": more, "Filter": f,
		"Brands": brands, "Statuses": statuses, "Sorts": sorts, "Message": q.Get("done"),
		"Query": text, "CanSearch": s.search != nil,
	})
}

// dateFilter reads the queue's from and to days.
func dateFilter(f *casestore.Filter, q url.Values) error {
	for _, d := range []struct {
		name string
		dst  *string
	}{{"from", &f.From}, {"to", &f.To}} {
		v := strings.TrimSpace(q.Get(d.name))
		if v == "" {
			continue
		}
		if _, err := time.Parse(time.DateOnly, v); err != nil {
			return fmt.Errorf("%s %q is not a date (YYYY-MM-DD)", d.name, v)
		}
		*d.dst = v
	}
	return nil
}

func (s *Server) casePage(w http.ResponseWriter, r *http.Request) {
	s.showCase(w, r, http.StatusOK, "")
}

func (s *Server) showCase(w http.ResponseWriter, r *http.Request, code int, msg string) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.fail(w, http.StatusNotFound, "no such case")
		return
	}
	cv, status, err := s.loadCase(r.Context(), id)
	switch status {
	case http.StatusNotFound:
		s.fail(w, status, err.Error())
		return
	case http.StatusInternalServerError:
		s.internal(w, "get case", err)
		return
	}
	c := cv.c
	snaps, err := s.store.Snapshots(r.Context(), id)
	if err != nil {
		s.internal(w, "case snapshots", err)
		return
	}
	pretty := make([]string, 0, len(snaps))
	for _, sn := range snaps {
		var v any
		if json.Unmarshal(sn, &v) == nil {
			if b, err := json.MarshalIndent(v, "", "  "); err == nil {
				pretty = append(pretty, string(b))
				continue
			}
		}
		pretty = append(pretty, string(sn))
	}
	sellerCases, sellerUpheld, err := s.store.SellerCounts(r.Context(), c.SellerID, scope(r))
	if err != nil {
		s.internal(w, "seller history", err)
		return
	}
	w.WriteHeader(code)
	s.render(w, r, "case", map[string]any{"SellerCases": sellerCases, "SellerUpheld": sellerUpheld, "Strikes": s.strikes,
		"Title": fmt.Sprintf("Case %d", id), "Case": c, "Next": c.Status.Next(), "CanDismiss": casestore.CanMove(c.Status, casestore.Dismissed),
		"History": cv.history, "Snapshots": pretty, "Error": msg, "Notices": cv.notices,
		"Listing": latestListing(snaps), "Terms": caseTerms(c),
	})
}

// caseView is a case with its audit trail and the notices it went out in.
type caseView struct {
	c       *casestore.Case
	history []casestore.Event
	notices []casestore.NoticeItem
}

// loadCase reads what the case page and the API show of a case; the error
// comes with the HTTP status it deserves.
func (s *Server) loadCase(ctx context.Context, id int64) (*caseView, int, error) {
	c, err := s.store.Get(ctx, id)
	if errors.Is(err, casestore.ErrNotFound) {
		return nil, http.StatusNotFound, fmt.Errorf("case %d does not exist", id)
	}
	if err != nil {
		return nil, http.StatusInternalServerError, err
	}
	cv := &caseView{c: c}
	if cv.history, err = s.store.History(ctx, id); err != nil {
		return nil, http.StatusInternalServerError, err
	}
	if cv.notices, err = s.store.CaseNotices(ctx, id); err != nil {
		return nil, http.StatusInternalServerError, err
	}
	return cv, http.StatusOK, nil
}

// decide applies an analyst's decision. Bad input re-renders the case with
// the reason (400 or 409), never a 500.
func (s *Server) decide(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.fail(w, http.StatusNotFound, "no such case")
		return
	}
	to, err := casestore.ParseStatus(r.PostForm.Get("status"))
	if err != nil {
		s.showCase(w, r, http.StatusBadRequest, err.Error())
		return
	}
	_, code, err := s.decision(r, id, to, r.PostForm.Get("why"), strings.TrimSpace(r.PostForm.Get("reason")), false)
	switch code {
	case http.StatusOK:
		http.Redirect(w, r, "/cases/"+url.PathEscape(r.PathValue("id")), http.StatusSeeOther)
	case http.StatusNotFound:
		s.fail(w, code, err.Error())
	case http.StatusInternalServerError:
		s.internal(w, "move case", err)
	case http.StatusServiceUnavailable:
		s.showCase(w, r, code, "The decision is saved, but the matchers could not be told (Kafka unavailable?): "+err.Error())
	default:
		s.showCase(w, r, code, err.Error())
	}
}

// decision moves a case, under the signed-in account's name, audits it
// and tells the matchers what it teaches; the error comes with the HTTP
// status it deserves. 503 means the decision is saved but the matchers
// were not told. The moved case is read back, and returned, only when
// the teacher needs it or readBack asks for it; otherwise it is nil.
func (s *Server) decision(r *http.Request, id int64, to casestore.Status, why, reason string, readBack bool) (*casestore.Case, int, error) {
	ctx, actor := r.Context(), actor(r)
	if why != "" && why != reporter.WhyAuthorized && why != reporter.WhyNotInfringing {
		return nil, http.StatusBadRequest, fmt.Errorf("unknown dismissal reason %q (known: %s, %s)", why, reporter.WhyAuthorized, reporter.WhyNotInfringing)
	}
	err := s.store.Move(ctx, id, to, actor, reason)
	switch {
	case errors.Is(err, casestore.ErrNotFound):
		return nil, http.StatusNotFound, fmt.Errorf("case %d does not exist", id)
	case errors.Is(err, casestore.ErrTransition):
		return nil, http.StatusConflict, err
	case err != nil:
		return nil, http.StatusInternalServerError, err
	}
	s.audit(r, account.ActionDecision, fmt.Sprintf("case %d", id), account.DecisionDetail(string(to), why, reason))
	var c *casestore.Case
	if readBack || s.teacher != nil {
		if c, err = s.store.Get(ctx, id); err != nil {
			return nil, http.StatusInternalServerError, err
		}
	}
	if s.teacher != nil {
		if err := s.teacher.Teach(ctx, c, to, why, actor, reason); err != nil {
			s.log.Error("decision saved but not taught to the matchers", "case", id, "err", err)
			return c, http.StatusServiceUnavailable, err
		}
	}
	return c, http.StatusOK, nil
}

// maxBulk caps one bulk decision; the queue shows at most pageSize cases.
const maxBulk = 1000

// bulk applies one decision to the selected cases of the queue. Each case
// moves on its own, so one that may not move is reported and the rest go
// ahead.
func (s *Server) bulk(w http.ResponseWriter, r *http.Request) {
	to, err := casestore.ParseStatus(r.PostForm.Get("status"))
	if err != nil || (to != casestore.Confirmed && to != casestore.Dismissed) {
		s.fail(w, http.StatusBadRequest, "bulk decisions are confirmed or dismissed")
		return
	}
	ids := r.PostForm["id"]
	if len(ids) == 0 || len(ids) > maxBulk {
		s.fail(w, http.StatusBadRequest, fmt.Sprintf("select between 1 and %d cases", maxBulk))
		return
	}
	reason := strings.TrimSpace(r.PostForm.Get("reason"))
	moved, refused := 0, 0
	for _, raw := range ids {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			refused++
			continue
		}
		// A decision saved but not taught (503) is logged by decision and
		// counts as moved.
		switch _, code, err := s.decision(r, id, to, "", reason, false); code {
		case http.StatusOK, http.StatusServiceUnavailable:
			moved++
		case http.StatusNotFound, http.StatusConflict:
			refused++
		default:
			s.internal(w, "bulk move", err)
			return
		}
	}
	msg := fmt.Sprintf("%d cases %s", moved, to)
	if refused > 0 {
		msg += fmt.Sprintf("; %d could not move (already decided or unknown)", refused)
	}
	http.Redirect(w, r, "/cases?done="+url.QueryEscape(msg), http.StatusSeeOther)
}

func (s *Server) sellerPage(w http.ResponseWriter, r *http.Request) {
	rep, err := s.store.Seller(r.Context(), r.PathValue("id"), s.strikes, scope(r))
	if err != nil {
		s.internal(w, "seller report", err)
		return
	}
	if len(rep.Cases) == 0 {
		s.fail(w, http.StatusNotFound, "no cases for this seller")
		return
	}
	s.render(w, r, "seller", map[string]any{"Title": "Seller " + rep.SellerID, "R": rep, "Strikes": s.strikes})
}

func (s *Server) brandPage(w http.ResponseWriter, r *http.Request) {
	rep, err := s.store.Brand(r.Context(), r.PathValue("id"))
	if err != nil {
		s.internal(w, "brand report", err)
		return
	}
	if len(rep.Counts) == 0 {
		s.fail(w, http.StatusNotFound, "no cases for this brand")
		return
	}
	registered := false
	if s.directory != nil {
		_, registered = s.directory.Brand(rep.BrandID)
	}
	s.render(w, r, "brand", map[string]any{"Title": "Brand " + rep.BrandID, "R": rep, "Chart": barChart(rep.FlagsPerDay), "Registered": registered})
}

// render writes a page; every page is given the signed-in account, its
// CSRF token, which every state-changing form carries, and Can: what the
// account may do, by the policies of the routes the page links and posts
// to, so a page offers only what those routes allow.
func (s *Server) render(w http.ResponseWriter, r *http.Request, page string, data map[string]any) {
	if id := identity(r); id != nil {
		u := id.User
		data["User"], data["CSRF"] = u, id.CSRF
		data["Can"] = s.can(u)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := s.pages[page].ExecuteTemplate(w, page+".html", data); err != nil {
		s.log.Error("render page", "page", page, "err", err)
	}
}

func (s *Server) fail(w http.ResponseWriter, code int, msg string) {
	http.Error(w, msg, code)
}

// internal is for failures of the server itself (the database), not of the
// request; they are logged with their cause and shown without it.
func (s *Server) internal(w http.ResponseWriter, what string, err error) {
	s.log.Error(what, "err", err)
	http.Error(w, "the case database failed; see the reporter's log", http.StatusInternalServerError)
}
