package clv

import "fmt"

func errorf(format string, args ...any) error { return fmt.Errorf("clv: "+format, args...) }
