package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/profile"
)

// ClusterDiscoverer discovers segments: k-means on behaviour vectors over
// a range of k, and the chosen clusters' profiles, stored as a model when
// asked (profile.Profiler).
type ClusterDiscoverer interface {
	Discover(ctx context.Context, q profile.Query) (*profile.Discovery, error)
	Current(ctx context.Context, scope string) (*profile.Discovery, error)
	// RenameCluster names a cluster of a stored model ("" removes the
	// name): EINVALID naming the field, ENOTFOUND for no such cluster.
	RenameCluster(ctx context.Context, scope string, version, index int, name string) error
	// ClusterName is the name of the cluster a block names, "" for none.
	ClusterName(ctx context.Context, ref journeys.ClusterRef) string
	// Project draws a sample of the people of the current clustering of
	// scope in two dimensions (profile.Profiler.Project).
	Project(ctx context.Context, scope string, sample int, seed uint64) (*profile.Projection, error)
}

// WithClusters serves the discovered segments.
func WithClusters(d ClusterDiscoverer) Option {
	return func(s *Server) { s.clusters = d }
}

// registerClusterRoutes serves, when WithClusters was given:
//
//	GET  /clusters?k=2-8&as_of=&restarts=&seed=&person_prefix=&min_size=&dbscan=true   (read role)
//	POST /clusters?...the same                                              (admin role)
//	GET  /clusters/current?person_prefix=                                  (read role)
//	PUT  /clusters/:version/:index?person_prefix=  {"name": "..."}          (admin role)
//
// GET answers a profile.Discovery: the scores of each k, the chosen k and
// its clusters' profiles. POST also stores it as the current clusters
// model of person_prefix (201, with its version); /clusters/current
// answers that model's discovery. The fit runs in the request (seconds at
// 100k people). PUT names cluster index of model version (of
// person_prefix's models): the name shows in the profiles and in the
// reading of cluster segment blocks; "" removes it.
func (s *Server) registerClusterRoutes(read, admin *gin.RouterGroup) {
	if s.clusters == nil {
		return
	}
	read.GET("/clusters", s.discoverClusters(false))
	admin.POST("/clusters", s.discoverClusters(true))
	read.GET("/clusters/current", s.currentClusters)
	admin.PUT("/clusters/:version/:index", s.renameCluster)
}

// clusterRename is the answer of PUT /clusters/:version/:index.
type clusterRename struct {
	Scope   string `json:"person_prefix"`
	Version int    `json:"version"`
	Index   int    `json:"index"`
	Name    string `json:"name"`
}

func (s *Server) renameCluster(c *gin.Context) {
	version, err := strconv.Atoi(c.Param("version"))
	if err != nil || version < 1 {
		s.fail(c, fieldError("version", "%q is not a model version (a whole number from 1)", c.Param("version")))
		return
	}
	index, err := strconv.Atoi(c.Param("index"))
	if err != nil || index < 0 {
		s.fail(c, fieldError("index", "%q is not a cluster index (a whole number from 0)", c.Param("index")))
		return
	}
	var body struct {
		Name *string `json:"name"`
	}
	if err := s.decodeBody(c, &body); err != nil {
		s.fail(c, err)
		return
	}
	if body.Name == nil {
		s.fail(c, fieldError("name", "missing (\"\" removes the name)"))
		return
	}
	scope := c.Query("person_prefix")
	if err := s.clusters.RenameCluster(c.Request.Context(), scope, version, index, *body.Name); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, clusterRename{Scope: scope, Version: version, Index: index, Name: strings.TrimSpace(*body.Name)})
}

// describe reads a definition as a sentence (journeys.Describe), with the
// names given to the clusters its cluster blocks name when the server has
// clusters.
func (s *Server) describe(ctx context.Context, where journeys.Condition) string {
	if s.clusters == nil {
		return journeys.Describe(where)
	}
	return journeys.DescribeNamed(where, func(r journeys.ClusterRef) string { return s.clusters.ClusterName(ctx, r) })
}

func (s *Server) discoverClusters(save bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		q, err := clusterParams(c)
		if err != nil {
			s.fail(c, err)
			return
		}
		q.Save = save
		d, err := s.clusters.Discover(c.Request.Context(), q)
		if err != nil {
			s.fail(c, err)
			return
		}
		status := http.StatusOK
		if save {
			status = http.StatusCreated
		}
		c.JSON(status, d)
	}
}

func (s *Server) currentClusters(c *gin.Context) {
	d, err := s.clusters.Current(c.Request.Context(), c.Query("person_prefix"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

// clusterParams reads k (a range such as 2-8, the default), as_of (RFC
// 3339, a date or epoch), restarts, seed, person_prefix, min_size and
// dbscan (true or false).
func clusterParams(c *gin.Context) (profile.Query, error) {
	q := profile.Query{KMin: 2, KMax: 8, Seed: 1, PersonPrefix: c.Query("person_prefix")}
	switch v := c.Query("dbscan"); v {
	case "", "false":
	case "true":
		q.DBSCAN = true
	default:
		return q, fieldError("dbscan", "%q is not true or false", v)
	}
	var err error
	if k := c.Query("k"); k != "" {
		if q.KMin, q.KMax, err = profile.ParseKRange(k); err != nil {
			return q, err
		}
	}
	if v := c.Query("as_of"); v != "" {
		if q.AsOf, err = time.Parse(time.DateOnly, v); err != nil {
			if q.AsOf, err = journeys.ParseTime(v); err != nil {
				return q, fieldError("as_of", "%s", journeys.ErrorMessage(err))
			}
		}
	}
	if v := c.Query("seed"); v != "" {
		if q.Seed, err = strconv.ParseUint(v, 10, 64); err != nil {
			return q, fieldError("seed", "%q is not a whole number from 0", v)
		}
	}
	if q.Restarts, err = intParam(c, "restarts"); err != nil {
		return q, err
	}
	if q.MinSize, err = intParam(c, "min_size"); err != nil {
		return q, err
	}
	return q, q.Validate()
}
