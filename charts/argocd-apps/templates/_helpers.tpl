{{- define "argocd-apps.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: devops-app
devops-app.io/service: {{ .Values.serviceName }}
{{- end }}

{{/*
Stops the render with a message, also under `helm lint`, where Helm turns `fail` into a logged no-op: a
missing template is an error in every mode, and its name (the message) is what the error shows.
*/}}
{{- define "argocd-apps.fail" -}}
{{- fail . -}}
{{- include . nil -}}
{{- end }}

{{/*
The environments: every environments/<name>.yaml, checked. Returns {"environments": [...]} as JSON,
sorted by file name.
*/}}
{{- define "argocd-apps.environments" -}}
{{- $environments := list -}}
{{- range $path, $_ := .Files.Glob "environments/*.yaml" -}}
{{- $environment := fromYaml ($.Files.Get $path) -}}
{{- $name := toString (get $environment "name") -}}
{{- if not (regexMatch "^[a-z]([-a-z0-9]{0,30}[a-z0-9])?$" $name) -}}
{{- include "argocd-apps.fail" (printf "%s: name: %q is not a lower-case DNS label of at most 32 characters" $path $name) -}}
{{- end -}}
{{- if ne $path (printf "environments/%s.yaml" $name) -}}
{{- include "argocd-apps.fail" (printf "%s: name: %q does not match the file name" $path $name) -}}
{{- end -}}
{{- if not (has (get $environment "colour") (list "blue" "green")) -}}
{{- include "argocd-apps.fail" (printf "%s: colour: %v is not blue or green" $path (get $environment "colour")) -}}
{{- end -}}
{{- if not (has (get $environment "sync") (list "automated" "manual")) -}}
{{- include "argocd-apps.fail" (printf "%s: sync: %v is not automated or manual" $path (get $environment "sync")) -}}
{{- end -}}
{{- range $key, $_ := $environment -}}
{{- if not (has $key (list "name" "colour" "sync" "server")) -}}
{{- include "argocd-apps.fail" (printf "%s: %s: unknown key (allowed: name, colour, sync, server)" $path $key) -}}
{{- end -}}
{{- end -}}
{{- $environments = append $environments $environment -}}
{{- end -}}
{{- toJson (dict "environments" $environments) -}}
{{- end }}
