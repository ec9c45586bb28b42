{{/*
PromQL shared by the AnalysisTemplate (preview pods of one rollout) and the PrometheusRule (the whole
environment), so the gate and the alerts measure the same thing. Series carry service and environment
from the ServiceMonitor's relabelings; probe and scrape routes are left out so kubelet and Prometheus do
not count as traffic.
*/}}

{{/* The label matchers of this environment's series; call with (dict "root" $ "extra" "<more matchers>"). */}}
{{- define "inference.promql.selector" -}}
{{- $matchers := list (printf "service=%q" .root.Values.serviceName) (printf "environment=%q" (include "inference.environment" .root)) -}}
{{- if .extra }}{{ $matchers = append $matchers .extra }}{{ end -}}
{{- join "," $matchers -}}
{{- end }}

{{- define "inference.promql.requestMatchers" -}}
route!~"/healthz|/readyz|/metrics"
{{- end }}

{{/*
Ratio of 5xx answers; call with (dict "selector" "<matchers>" "window" "5m"). The service creates a
status="5xx" series only on its first 5xx, so no such series reads as no errors (0), not as no ratio.
*/}}
{{- define "inference.promql.errorRatio" -}}
(sum(rate(http_request_duration_seconds_count{ {{- .selector }},status=~"5.."}[{{ .window }}])) or on() vector(0))
/
sum(rate(http_request_duration_seconds_count{ {{- .selector }}}[{{ .window }}]))
{{- end }}

{{/* p95 request latency in seconds; call with (dict "selector" "<matchers>" "window" "5m"). */}}
{{- define "inference.promql.latencyP95" -}}
histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{ {{- .selector }}}[{{ .window }}])))
{{- end }}

{{/* Requests per second; call with (dict "selector" "<matchers>" "window" "5m"). */}}
{{- define "inference.promql.requestRate" -}}
sum(rate(http_request_duration_seconds_count{ {{- .selector }}}[{{ .window }}]))
{{- end }}

{{/*
The requests answered over the window when they are at least `min`, else nothing: `<query> and on() <this>`
answers only with enough traffic. Call with (dict "selector" "<matchers>" "window" "5m" "min" 50).
*/}}
{{- define "inference.promql.enoughRequests" -}}
sum(increase(http_request_duration_seconds_count{ {{- .selector }}}[{{ .window }}])) >= {{ .min }}
{{- end }}
