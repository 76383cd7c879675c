package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/profile"
	"github.com/journeygraph/journeygraph/web/chart"
)

// Defaults of the clusters page's projection.
const (
	clusterSample = 1000
	clusterSeed   = 1
)

// clustersData is the clusters page's: the current clustering of a scope,
// its k-selection curves, a projection of a sample of its people and the
// profiles of its clusters.
type clustersData struct {
	layout
	Off      string // why clusters are not served
	Prefix   string
	Missing  string // no clustering saved for the prefix
	D        *profile.Discovery
	Proj     *profile.Projection
	ProjOff  string // why there is no projection (the clustering cannot place people any more)
	Sil, CH  template.HTML
	Scatter  template.HTML
	Rows     []clusterRow
	Segments bool // "save as segment" is offered
	Renamed  string
}

// clusterRow is one line of the profiles table.
type clusterRow struct {
	profile.Profile
	Segment string // the default name of its segment
}

func (*clustersData) pageName() string { return "clusters" }

// registerClusterPages adds the clusters page (read role) and its forms:
// naming a cluster and saving it as a segment (admin role).
func (s *Server) registerClusterPages(read, admin *gin.RouterGroup) {
	read.GET("/clusters", s.clustersPage)
	admin.POST("/clusters/rename", s.clusterRenamePost)
	admin.POST("/clusters/segment", s.clusterSegmentPost)
}

// clustersPage shows the current clustering of ?person_prefix= (everyone's
// by default): the silhouette and Calinski–Harabasz of each k tried, a 2-D
// PCA projection of a seeded sample of ?sample= people (?seed=) coloured
// by cluster, and the profiles, with the forms of the admin role.
func (s *Server) clustersPage(c *gin.Context) {
	data := &clustersData{Prefix: c.Query("person_prefix"), Renamed: c.Query("renamed")}
	data.Segments = s.segSvc != nil
	if s.clusters == nil {
		data.Off = "Clusters are not configured on this server (serve wires them with the graph store)."
		s.render(c, http.StatusOK, data)
		return
	}
	sample, ok := s.pageInt(c, data, "sample", clusterSample, 2, profile.MaxProjection)
	if !ok {
		return
	}
	seed, ok := s.pageInt(c, data, "seed", clusterSeed, 0, 1<<31)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	d, err := s.clusters.Current(ctx, data.Prefix)
	if journeys.ErrorCode(err) == journeys.ENOTFOUND {
		data.Missing = journeys.ErrorMessage(err)
		s.render(c, http.StatusOK, data)
		return
	}
	if err != nil {
		s.renderError(c, data, err)
		return
	}
	data.D = d
	var sil, ch []chart.Point
	mark := -1
	for i, sc := range d.Scores {
		label := "k=" + strconv.Itoa(sc.K)
		sil = append(sil, chart.Point{Label: label, Value: sc.Silhouette})
		ch = append(ch, chart.Point{Label: label, Value: sc.CalinskiHarabasz})
		if sc.K == d.K {
			mark = i
		}
	}
	data.Sil = chart.Curve(sil, mark, "silhouette per k")
	data.CH = chart.Curve(ch, mark, "Calinski–Harabasz per k")
	for _, p := range d.Profiles {
		data.Rows = append(data.Rows, clusterRow{Profile: p, Segment: fmt.Sprintf("cluster-%d-%d", d.Version, p.Index)})
	}
	proj, err := s.clusters.Project(ctx, data.Prefix, sample, uint64(seed))
	if journeys.ErrorCode(err) == journeys.EINVALID {
		// The clustering cannot place people any more (its hidden-state
		// model was deleted): its saved curves and profiles still stand.
		data.ProjOff = journeys.ErrorMessage(err)
		s.render(c, http.StatusOK, data)
		return
	}
	if err != nil {
		s.renderError(c, data, err)
		return
	}
	data.Proj = proj
	dots := make([]chart.Dot, len(proj.Points))
	for i, p := range proj.Points {
		dots[i] = chart.Dot{X: p.X, Y: p.Y, Group: p.Cluster, Title: fmt.Sprintf("%s: cluster %d", p.Person, p.Cluster)}
	}
	var marks []chart.Dot
	for _, p := range proj.Centroids {
		title := fmt.Sprintf("centroid of cluster %d", p.Cluster)
		if p.Cluster < len(d.Profiles) {
			title += ": " + clusterTitle(d.Profiles[p.Cluster])
		}
		marks = append(marks, chart.Dot{X: p.X, Y: p.Y, Group: p.Cluster, Title: title})
	}
	data.Scatter = chart.Scatter(dots, marks, "people by cluster, first two principal components")
	s.render(c, http.StatusOK, data)
}

// clusterTitle is a cluster's name, else its suggested label.
func clusterTitle(p profile.Profile) string {
	if p.Name != "" {
		return p.Name
	}
	return p.Label
}

// pageInt reads an optional whole-number query parameter in [lo, hi],
// rendering the page with an error naming it when it is not one.
func (s *Server) pageInt(c *gin.Context, data pageData, key string, def, lo, hi int) (int, bool) {
	v := c.Query(key)
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		s.renderError(c, data, fieldError(key, "%q is not a whole number from %d to %d", v, lo, hi))
		return 0, false
	}
	return n, true
}

// clusterForm reads the version and index of a cluster form.
func clusterForm(c *gin.Context) (version, index int, err error) {
	if version, err = strconv.Atoi(c.PostForm("version")); err != nil || version < 1 {
		return 0, 0, fieldError("version", "%q is not a model version", c.PostForm("version"))
	}
	if index, err = strconv.Atoi(c.PostForm("index")); err != nil || index < 0 {
		return 0, 0, fieldError("index", "%q is not a cluster index", c.PostForm("index"))
	}
	return version, index, nil
}

// clusterRenamePost names a cluster and shows the page again.
func (s *Server) clusterRenamePost(c *gin.Context) {
	data := &clustersData{Prefix: c.PostForm("person_prefix")}
	if s.clusters == nil {
		s.renderError(c, data, journeys.Errorf(journeys.ENOTFOUND, "clusters are not configured on this server"))
		return
	}
	version, index, err := clusterForm(c)
	if err == nil {
		err = s.clusters.RenameCluster(c.Request.Context(), data.Prefix, version, index, c.PostForm("name"))
	}
	if err != nil {
		s.renderError(c, data, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/app/clusters?"+url.Values{"person_prefix": {data.Prefix}, "renamed": {strconv.Itoa(index)}}.Encode())
}

// clusterSegmentPost saves a cluster as a segment: its block names the
// model's version, so the segment keeps meaning this cluster when the
// clustering is fitted again. It opens the new segment.
func (s *Server) clusterSegmentPost(c *gin.Context) {
	data := &clustersData{Prefix: c.PostForm("person_prefix")}
	if s.segSvc == nil {
		s.renderError(c, data, journeys.Errorf(journeys.ENOTFOUND, "segments are not configured on this server"))
		return
	}
	version, index, err := clusterForm(c)
	if err != nil {
		s.renderError(c, data, err)
		return
	}
	def, err := json.Marshal(map[string]any{
		"name":        c.PostForm("segment"),
		"description": fmt.Sprintf("cluster %d of clustering model %d (saved from the clusters page)", index, version),
		"where":       journeys.Condition{Cluster: &journeys.ClusterRef{Index: index, Model: version, Scope: data.Prefix}},
	})
	if err != nil {
		s.renderError(c, data, err)
		return
	}
	seg, err := journeys.ParseSegment(def)
	if err != nil {
		s.renderError(c, data, err)
		return
	}
	if _, _, err := s.segSvc.Create(c.Request.Context(), seg); err != nil {
		s.renderError(c, data, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/app/segments/"+url.PathEscape(seg.Name))
}
