module github.com/de4e/weir

go 1.26

require (
	github.com/cockroachdb/datadriven v1.0.3 // indirect
	github.com/pmezard/go-difflib v1.0.0 // indirect
	github.com/reugn/go-streams v0.13.0 // indirect
)
