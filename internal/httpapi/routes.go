package httpapi

import (
	_ "embed"
	"net/http"
)

//go:embed openapi.json
var openapi []byte

// Routes is the whole API surface. Everything but the OpenAPI document
// needs a session or a bearer token (the server's middleware enforces it).
func (a *API) Routes() []Route {
	return []Route{
		{Method: "GET", Path: "/api/v1/openapi.json", Public: true, Handler: serveOpenAPI},
		{Method: "GET", Path: "/api/v1/me", Handler: a.me},

		{Method: "GET", Path: "/api/v1/customers", Handler: a.listCustomers},
		{Method: "POST", Path: "/api/v1/customers", Handler: a.createCustomer},
		{Method: "GET", Path: "/api/v1/customers/{id}", Handler: a.getCustomer},
		{Method: "PATCH", Path: "/api/v1/customers/{id}", Handler: a.updateCustomer},
		{Method: "POST", Path: "/api/v1/customers/{id}/merge", Handler: a.mergeCustomers},

		{Method: "GET", Path: "/api/v1/orders", Handler: a.listOrders},
		{Method: "POST", Path: "/api/v1/orders", Handler: a.createOrder},

		{Method: "GET", Path: "/api/v1/dashboard", Handler: a.report(a.Dashboard)},
		{Method: "GET", Path: "/api/v1/reports/overview", Handler: a.report(a.reportOverview)},
		{Method: "GET", Path: "/api/v1/reports/trend", Handler: a.report(a.reportTrend)},
		{Method: "GET", Path: "/api/v1/reports/cohorts", Handler: a.report(a.reportCohorts)},
		{Method: "GET", Path: "/api/v1/reports/cac", Handler: a.report(a.reportCAC)},
		{Method: "GET", Path: "/api/v1/reports/drivers", Handler: a.report(a.reportDrivers)},
		{Method: "GET", Path: "/api/v1/reports/rfm", Handler: a.report(a.reportRFM)},
		{Method: "GET", Path: "/api/v1/reports/classes", Handler: a.report(a.reportClasses)},
		{Method: "GET", Path: "/api/v1/reports/pareto", Handler: a.report(a.reportPareto)},

		{Method: "GET", Path: "/api/v1/scores", Handler: a.listScores},

		{Method: "POST", Path: "/api/v1/imports", Handler: a.upload},
		{Method: "GET", Path: "/api/v1/imports/{id}/rejects", Handler: a.rejects},
	}
}

func serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(openapi)
}
