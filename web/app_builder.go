package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/propensity"
)

// VocabularyReader lists the values the segment builder offers in its
// menus (the journey cache, inmem.Cache).
type VocabularyReader interface {
	Vocabulary(ctx context.Context) (journeys.Vocabulary, error)
}

// WithVocabulary fills the segment builder's menus with the values seen in
// the journeys; without it they offer the step rules' steps and the fixed
// fields only.
func WithVocabulary(v VocabularyReader) Option {
	return func(s *Server) { s.vocab = v }
}

// segmentVocabulary answers the builder's menus (GET
// /api/v1/segment-vocabulary, /app/segment-vocabulary; read role): the
// values seen, plus every step the step rules can give.
func (s *Server) segmentVocabulary(c *gin.Context) {
	v := journeys.NewVocabulary(nil, nil, nil, nil, nil, nil, nil)
	if s.vocab != nil {
		var err error
		if v, err = s.vocab.Vocabulary(c.Request.Context()); err != nil {
			s.fail(c, err)
			return
		}
	}
	rules := journeys.DefaultStepRules()
	if s.steps != nil {
		rules = s.steps.Current().StepRules
	}
	steps := map[string]bool{}
	for _, st := range v.Steps {
		steps[st] = true
	}
	for _, r := range rules.Rules {
		steps[r.Label] = true
	}
	v.Steps = journeys.NewVocabulary(steps, nil, nil, nil, nil, nil, nil).Steps
	c.JSON(http.StatusOK, v)
}

// readingPreview is a preview with the definition read as a sentence.
type readingPreview struct {
	journeys.Preview
	Reading string `json:"reading"` // journeys.Describe of the definition
	// Propensity holds, for each propensity block, the precision and recall
	// its threshold can be expected to give (from the stored validation).
	Propensity []propensity.Expectation `json:"propensity,omitempty"`
}

// segmentPreviewJSON is the builder's live count (POST
// /app/segment-preview, read role, the session's CSRF token): the form's
// definition (and name, for a stored segment's editor) and as_of, answered
// as the API's preview is, or its error.
func (s *Server) segmentPreviewJSON(c *gin.Context) {
	if s.segSvc == nil {
		s.fail(c, journeys.Errorf(journeys.ENOTFOUND, "segments are not served"))
		return
	}
	body := []byte(c.PostForm("definition"))
	var err error
	if name := c.PostForm("name"); name != "" {
		if body, err = withName(body, name); err != nil {
			s.fail(c, err)
			return
		}
	}
	seg, err := journeys.ParseSegment(body)
	if err != nil {
		s.fail(c, err)
		return
	}
	var asOf time.Time
	if v := strings.TrimSpace(c.PostForm("as_of")); v != "" {
		if asOf, err = journeys.ParseTime(v); err != nil {
			s.fail(c, journeys.Errorf(journeys.EINVALID, "as_of: %s", journeys.ErrorMessage(err)))
			return
		}
	}
	pv, err := s.segSvc.Preview(c.Request.Context(), seg, asOf, pagePreviewCount)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, s.previewAnswer(c.Request.Context(), pv, seg.Where))
}
