module github.com/journeygraph/journeygraph

go 1.26.8
