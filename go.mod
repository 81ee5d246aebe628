module github.com/de4e/weir

go 1.26
