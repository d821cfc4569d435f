package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/assay-dev/assay/internal/account"
	"github.com/assay-dev/assay/internal/casestore"
	"github.com/assay-dev/assay/internal/notice"
	"github.com/assay-dev/assay/internal/stream"
)

// BrandDirectory holds the registered brands as the brands topic has them
// (package reporter's Directory).
type BrandDirectory interface {
	Brand(id string) (*stream.BrandRecord, bool)
}

// noticeRequest is what building a notice takes, from the form or the API
// (which may name the actor).
type noticeRequest struct {
	apiActor
	Brand       string `json:"brand"`
	Marketplace string `json:"marketplace"`
	Cap         int    `json:"cap"`
	Signer      string `json:"signer"`
}

// issue builds and records notices; the error comes with the HTTP status
// it deserves.
func (s *Server) issue(r *http.Request, req noticeRequest) ([]notice.Notice, int, error) {
	ctx := r.Context()
	if s.directory == nil {
		return nil, http.StatusNotFound, errors.New("notices need the brands topic: this server was started without it")
	}
	if req.Cap < 0 || req.Cap > 10_000 {
		return nil, http.StatusBadRequest, fmt.Errorf("cap %d is out of range (1 to 10000; 0 for the default %d)", req.Cap, notice.DefaultCap)
	}
	rec, ok := s.directory.Brand(req.Brand)
	if !ok {
		return nil, http.StatusBadRequest, fmt.Errorf("brand %q is not registered", req.Brand)
	}
	b := rec.Brand
	ns, err := notice.Issue(ctx, s.store, &b, req.Marketplace, actor(r), notice.Options{Cap: req.Cap, Signer: strings.TrimSpace(req.Signer)})
	switch {
	case errors.Is(err, notice.ErrNotReady), errors.Is(err, casestore.ErrTransition):
		return ns, http.StatusConflict, err
	case err != nil:
		return ns, http.StatusInternalServerError, err
	}
	for _, n := range ns {
		s.audit(r, account.ActionNoticeBuild, "notice "+n.ID, fmt.Sprintf("%s on %s, %d listings", b.ID, req.Marketplace, len(n.Items)))
	}
	return ns, http.StatusCreated, nil
}

func (s *Server) noticesPage(w http.ResponseWriter, r *http.Request) {
	s.showNotices(w, r, http.StatusOK, "")
}

func (s *Server) showNotices(w http.ResponseWriter, r *http.Request, code int, msg string) {
	list, err := s.store.Notices(r.Context(), r.URL.Query().Get("brand"), scope(r))
	if err != nil {
		s.internal(w, "list notices", err)
		return
	}
	ready, err := s.store.Ready(r.Context(), scope(r))
	if err != nil {
		s.internal(w, "notices ready", err)
		return
	}
	w.WriteHeader(code)
	s.render(w, r, "notices", map[string]any{"Title": "Takedown notices", "Notices": list, "Ready": ready, "Error": msg,
		"CanBuild": s.directory != nil, "DefaultCap": notice.DefaultCap})
}

func (s *Server) buildNotice(w http.ResponseWriter, r *http.Request) {
	req := noticeRequest{Brand: r.PostForm.Get("brand"), Marketplace: r.PostForm.Get("marketplace"), Signer: r.PostForm.Get("signer")}
	if c := strings.TrimSpace(r.PostForm.Get("cap")); c != "" {
		n, err := strconv.Atoi(c)
		if err != nil {
			s.showNotices(w, r, http.StatusBadRequest, fmt.Sprintf("cap %q is not a number", c))
			return
		}
		req.Cap = n
	}
	ns, code, err := s.issue(r, req)
	if err != nil {
		if code == http.StatusInternalServerError {
			s.internal(w, "issue notice", err)
			return
		}
		s.showNotices(w, r, code, err.Error())
		return
	}
	http.Redirect(w, r, "/notices/"+url.PathEscape(ns[0].ID)+"?done="+url.QueryEscape(fmt.Sprintf("%d notice(s) recorded; their cases are in_notice", len(ns))), http.StatusSeeOther)
}

func (s *Server) noticePage(w http.ResponseWriter, r *http.Request) {
	s.showNotice(w, r, http.StatusOK, "")
}

// loadNotice reads the notice the path names, as recorded and as built;
// false means the answer has been written.
func (s *Server) loadNotice(w http.ResponseWriter, r *http.Request) (*casestore.Notice, *notice.Notice, bool) {
	n, err := s.store.Notice(r.Context(), r.PathValue("id"))
	if errors.Is(err, casestore.ErrNoticeNotFound) {
		s.fail(w, http.StatusNotFound, err.Error())
		return nil, nil, false
	}
	if err != nil {
		s.internal(w, "get notice", err)
		return nil, nil, false
	}
	body, err := notice.Decode(n.Body)
	if err != nil {
		s.internal(w, "decode notice", err)
		return nil, nil, false
	}
	return n, body, true
}

func (s *Server) showNotice(w http.ResponseWriter, r *http.Request, code int, msg string) {
	n, body, ok := s.loadNotice(w, r)
	if !ok {
		return
	}
	reasons := map[int64]string{}
	for _, it := range body.Items {
		reasons[it.CaseID] = it.Reason
	}
	w.WriteHeader(code)
	s.render(w, r, "notice", map[string]any{"Title": "Notice " + n.ID, "N": n, "Body": body, "Reasons": reasons,
		"Outcomes": casestore.Outcomes, "Error": msg, "Message": r.URL.Query().Get("done")})
}

func (s *Server) noticeFile(w http.ResponseWriter, r *http.Request) {
	f, ok := notice.FormatNamed(r.URL.Query().Get("format"))
	if !ok {
		s.fail(w, http.StatusBadRequest, "format must be csv, json or html")
		return
	}
	n, body, ok := s.loadNotice(w, r)
	if !ok {
		return
	}
	format := r.URL.Query().Get("format")
	w.Header().Set("Content-Type", f.ContentType)
	if format != "html" {
		w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", n.ID+"."+format))
	}
	if err := f.Write(w, body); err != nil {
		s.log.Error("write notice", "notice", n.ID, "err", err)
	}
}

func (s *Server) submitNotice(w http.ResponseWriter, r *http.Request) {
	if code, err := s.submit(r, r.PathValue("id")); err != nil {
		s.noticeError(w, r, code, "submit notice", err)
		return
	}
	http.Redirect(w, r, "/notices/"+url.PathEscape(r.PathValue("id"))+"?done=marked+sent", http.StatusSeeOther)
}

// submit marks a notice sent, under the signed-in account's name.
func (s *Server) submit(r *http.Request, id string) (int, error) {
	err := s.store.SubmitNotice(r.Context(), id, actor(r))
	switch {
	case errors.Is(err, casestore.ErrNoticeNotFound):
		return http.StatusNotFound, err
	case err != nil:
		return http.StatusInternalServerError, err
	}
	s.audit(r, account.ActionNoticeSubmit, "notice "+id, "marked sent")
	return http.StatusOK, nil
}

// outcomeRequest records what became of one listing of a notice, from
// the form or the API (which may name the actor).
type outcomeRequest struct {
	apiActor
	Outcome string `json:"outcome"`
	Reason  string `json:"reason"`
}

func (s *Server) setOutcome(r *http.Request, noticeID string, caseID int64, req outcomeRequest) (int, error) {
	ctx := r.Context()
	o, err := casestore.ParseOutcome(req.Outcome)
	if err != nil {
		return http.StatusBadRequest, err
	}
	if (o == casestore.OutcomeRejected || o == casestore.OutcomeCounterNoticed) && strings.TrimSpace(req.Reason) == "" {
		return http.StatusBadRequest, fmt.Errorf("a %s outcome needs the marketplace's or the seller's reason", o)
	}
	err = s.store.SetOutcome(ctx, noticeID, caseID, o, actor(r), strings.TrimSpace(req.Reason))
	switch {
	case errors.Is(err, casestore.ErrNoticeNotFound), errors.Is(err, casestore.ErrNotFound):
		return http.StatusNotFound, err
	case errors.Is(err, casestore.ErrTransition):
		return http.StatusConflict, err
	case err != nil:
		return http.StatusInternalServerError, err
	}
	detail := fmt.Sprintf("case %d: %s", caseID, o)
	if reason := strings.TrimSpace(req.Reason); reason != "" {
		detail += ": " + reason
	}
	s.audit(r, account.ActionNoticeOutcome, "notice "+noticeID, detail)
	return http.StatusOK, nil
}

func (s *Server) outcome(w http.ResponseWriter, r *http.Request) {
	caseID, err := strconv.ParseInt(r.PostForm.Get("case"), 10, 64)
	if err != nil {
		s.showNotice(w, r, http.StatusBadRequest, "no case chosen")
		return
	}
	req := outcomeRequest{Outcome: r.PostForm.Get("outcome"), Reason: r.PostForm.Get("reason")}
	if code, err := s.setOutcome(r, r.PathValue("id"), caseID, req); err != nil {
		s.noticeError(w, r, code, "notice outcome", err)
		return
	}
	http.Redirect(w, r, "/notices/"+url.PathEscape(r.PathValue("id"))+"?done="+url.QueryEscape(fmt.Sprintf("case %d: %s", caseID, req.Outcome)), http.StatusSeeOther)
}

// sameActor refuses an actor field naming someone other than the
// signed-in account: what is done is recorded under who did it.
func sameActor(r *http.Request, given string) error {
	if given = strings.TrimSpace(given); given != "" && given != actor(r) {
		return fmt.Errorf("actor %q is not the signed-in account %q: leave it out, actions are recorded under the account", given, actor(r))
	}
	return nil
}

func (s *Server) noticeError(w http.ResponseWriter, r *http.Request, code int, what string, err error) {
	switch code {
	case http.StatusInternalServerError:
		s.internal(w, what, err)
	case http.StatusNotFound:
		s.fail(w, code, err.Error())
	default:
		s.showNotice(w, r, code, err.Error())
	}
}
