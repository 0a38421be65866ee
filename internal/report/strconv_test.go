package report_test

import "strconv"

var strconvAtoi = strconv.Atoi
