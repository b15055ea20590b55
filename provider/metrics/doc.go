// Package metrics owns the broker's Prometheus metrics: logins started and finished
// per eID and client, the latency of each step, every upstream call per connector
// (through a connector decorator), the database pools and the process. Each broker
// has its own registry; nothing is global.
package metrics
