package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/assay-dev/assay/internal/casestore"
)

// The JSON API under /api/v1 offers what the pages do, for scripts: cases
// with their filters and decisions, notices with their outcomes, seller and
// brand reports. Errors are {"error": "..."} with a 4xx status; a 500 only
// when the database itself fails.

// maxAPIBody caps a request body; every body is a handful of fields.
const maxAPIBody = 64 << 10

func (s *Server) apiRoutes() {
	s.route("GET /api/v1/cases", signedIn().listing(), s.apiCases)
	s.route("GET /api/v1/cases/{id}", signedIn().of(caseObject, "id"), s.apiCase)
	s.route("POST /api/v1/cases/{id}/status", staffOnly(), s.apiDecide)
	s.route("GET /api/v1/sellers/{id}", signedIn().listing(), s.apiSeller)
	s.route("GET /api/v1/brands/{id}", signedIn().of(brandObject, "id"), s.apiBrand)
	s.route("GET /api/v1/notices", signedIn().listing(), s.apiNotices)
	s.route("POST /api/v1/notices", staffOnly(), s.apiBuildNotice)
	s.route("GET /api/v1/notices/{id}", signedIn().of(noticeObject, "id"), s.apiNotice)
	s.route("POST /api/v1/notices/{id}/submit", staffOnly(), s.apiSubmit)
	s.route("POST /api/v1/notices/{id}/items/{case}", staffOnly(), s.apiOutcome)
	s.route("/api/", signedIn(), func(w http.ResponseWriter, r *http.Request) {
		s.apiError(w, http.StatusNotFound, fmt.Errorf("no API route %s %s", r.Method, r.URL.Path))
	})
}

func (s *Server) apiJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		s.log.Error("write API response", "err", err)
	}
}

// apiError answers with the error; a 500 is logged with its cause and
// answered without it.
func (s *Server) apiError(w http.ResponseWriter, code int, err error) {
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		code = http.StatusRequestEntityTooLarge
	}
	msg := err.Error()
	if code == http.StatusInternalServerError {
		s.log.Error("API request failed", "err", err)
		msg = "the case database failed; see the reporter's log"
	}
	s.apiJSON(w, code, map[string]string{"error": msg})
}

// decodeBody reads a JSON object of the given shape, refusing unknown
// fields so a misspelt one is not silently ignored.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxAPIBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if tooBig, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return fmt.Errorf("request body over %d bytes: %w", maxAPIBody, tooBig)
		}
		return fmt.Errorf("request body is not the expected JSON object: %w", err)
	}
	// Only white space may follow, within the cap: More would take a read
	// error past the cap for the end of the body.
	err := dec.Decode(new(json.RawMessage))
	if errors.Is(err, io.EOF) {
		return nil
	}
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return fmt.Errorf("request body over %d bytes: %w", maxAPIBody, err)
	}
	return errors.New("request body has more after its JSON object")
}

// apiActor is the actor field every API change may carry: if given, it
// must be the signed-in account's name, under which the change is
// recorded.
type apiActor struct {
	Actor string `json:"actor"`
}

func (a apiActor) actorName() string { return a.Actor }

// readAPIRequest reads an API change's JSON body into v and checks its
// actor; false means it has answered 400 (413 for a body over the cap).
func (s *Server) readAPIRequest(w http.ResponseWriter, r *http.Request, v interface{ actorName() string }) bool {
	err := decodeBody(w, r, v)
	if err == nil {
		err = sameActor(r, v.actorName())
	}
	if err != nil {
		s.apiError(w, http.StatusBadRequest, err)
		return false
	}
	return true
}

func (s *Server) apiCases(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := 100
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 1000 {
			s.apiError(w, http.StatusBadRequest, fmt.Errorf("limit %q must be a number from 1 to 1000", l))
			return
		}
		limit = n
	}
	f, err := s.caseFilter(r.Context(), q, limit, scope(r))
	if err != nil {
		s.apiError(w, http.StatusBadRequest, err)
		return
	}
	cases, err := s.store.List(r.Context(), f)
	if err != nil {
		s.apiError(w, http.StatusInternalServerError, err)
		return
	}
	s.apiJSON(w, http.StatusOK, map[string]any{"cases": orEmpty(cases)})
}

func (s *Server) apiCaseID(w http.ResponseWriter, raw string) (int64, bool) {
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		s.apiError(w, http.StatusNotFound, fmt.Errorf("case id %q is not a number", raw))
		return 0, false
	}
	return id, true
}

func (s *Server) apiCase(w http.ResponseWriter, r *http.Request) {
	id, ok := s.apiCaseID(w, r.PathValue("id"))
	if !ok {
		return
	}
	cv, code, err := s.loadCase(r.Context(), id)
	if err != nil {
		s.apiError(w, code, err)
		return
	}
	s.apiJSON(w, http.StatusOK, map[string]any{"case": cv.c, "history": cv.history, "notices": orEmpty(cv.notices), "next": cv.c.Status.Next()})
}

func (s *Server) apiDecide(w http.ResponseWriter, r *http.Request) {
	id, ok := s.apiCaseID(w, r.PathValue("id"))
	if !ok {
		return
	}
	var req struct {
		apiActor
		Status string `json:"status"`
		Reason string `json:"reason"`
		Why    string `json:"why"`
	}
	if !s.readAPIRequest(w, r, &req) {
		return
	}
	to, err := casestore.ParseStatus(req.Status)
	if err != nil {
		s.apiError(w, http.StatusBadRequest, err)
		return
	}
	c, code, err := s.decision(r, id, to, req.Why, strings.TrimSpace(req.Reason), true)
	if code == http.StatusServiceUnavailable {
		err = fmt.Errorf("the decision is saved, but the matchers could not be told: %w", err)
	}
	if err != nil {
		s.apiError(w, code, err)
		return
	}
	s.apiJSON(w, http.StatusOK, map[string]any{"case": c})
}

func (s *Server) apiSeller(w http.ResponseWriter, r *http.Request) {
	rep, err := s.store.Seller(r.Context(), r.PathValue("id"), s.strikes, scope(r))
	if err != nil {
		s.apiError(w, http.StatusInternalServerError, err)
		return
	}
	if len(rep.Cases) == 0 {
		s.apiError(w, http.StatusNotFound, fmt.Errorf("no cases for seller %q", r.PathValue("id")))
		return
	}
	s.apiJSON(w, http.StatusOK, map[string]any{"seller": rep, "strikes": s.strikes})
}

func (s *Server) apiBrand(w http.ResponseWriter, r *http.Request) {
	rep, err := s.store.Brand(r.Context(), r.PathValue("id"))
	if err != nil {
		s.apiError(w, http.StatusInternalServerError, err)
		return
	}
	if len(rep.Counts) == 0 {
		s.apiError(w, http.StatusNotFound, fmt.Errorf("no cases for brand %q", r.PathValue("id")))
		return
	}
	s.apiJSON(w, http.StatusOK, map[string]any{"brand": rep,
		"median_to_decision_seconds": rep.MedianToDecision.Seconds(), "median_to_takedown_seconds": rep.MedianToTakedown.Seconds()})
}

func (s *Server) apiNotices(w http.ResponseWriter, r *http.Request) {
	list, err := s.store.Notices(r.Context(), r.URL.Query().Get("brand"), scope(r))
	if err != nil {
		s.apiError(w, http.StatusInternalServerError, err)
		return
	}
	ready, err := s.store.Ready(r.Context(), scope(r))
	if err != nil {
		s.apiError(w, http.StatusInternalServerError, err)
		return
	}
	s.apiJSON(w, http.StatusOK, map[string]any{"notices": orEmpty(list), "ready": orEmpty(ready)})
}

func (s *Server) apiBuildNotice(w http.ResponseWriter, r *http.Request) {
	var req noticeRequest
	if !s.readAPIRequest(w, r, &req) {
		return
	}
	ns, code, err := s.issue(r, req)
	if err != nil {
		s.apiError(w, code, err)
		return
	}
	ids := make([]string, len(ns))
	for i, n := range ns {
		ids[i] = n.ID
	}
	s.apiJSON(w, http.StatusCreated, map[string]any{"notices": ids})
}

func (s *Server) apiNotice(w http.ResponseWriter, r *http.Request) {
	n, err := s.store.Notice(r.Context(), r.PathValue("id"))
	if errors.Is(err, casestore.ErrNoticeNotFound) {
		s.apiError(w, http.StatusNotFound, err)
		return
	}
	if err != nil {
		s.apiError(w, http.StatusInternalServerError, err)
		return
	}
	s.apiJSON(w, http.StatusOK, map[string]any{"notice": n})
}

func (s *Server) apiSubmit(w http.ResponseWriter, r *http.Request) {
	var req apiActor
	if !s.readAPIRequest(w, r, &req) {
		return
	}
	if code, err := s.submit(r, r.PathValue("id")); err != nil {
		s.apiError(w, code, err)
		return
	}
	s.apiNotice(w, r)
}

func (s *Server) apiOutcome(w http.ResponseWriter, r *http.Request) {
	caseID, ok := s.apiCaseID(w, r.PathValue("case"))
	if !ok {
		return
	}
	var req outcomeRequest
	if !s.readAPIRequest(w, r, &req) {
		return
	}
	if code, err := s.setOutcome(r, r.PathValue("id"), caseID, req); err != nil {
		s.apiError(w, code, err)
		return
	}
	s.apiNotice(w, r)
}

// orEmpty makes a nil slice encode as [] rather than null.
func orEmpty[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}
