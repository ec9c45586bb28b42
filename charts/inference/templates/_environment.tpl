{{/*
The environment this release runs in, checked against the environments the chart knows.

An environment is known when it is the chart's base environment (Chart.yaml annotation
devops-app.io/base-environment, the one values.yaml describes), or when the chart holds a file
values-<environment>.yaml that declares `environment: <environment>`. So the list of environments is the
set of files beside values.yaml: the portal's new-environment template adds one by writing its values file,
and nothing here has to be edited. A typo ("staging" for "pre-prod") or a colour overlay used as an
environment name fails the render, and so `helm lint`, with a message naming the field.
values.schema.json has already checked the name's form (lower-case DNS label).
*/}}
{{- define "inference.environment" -}}
{{- $environment := .Values.environment -}}
{{- $base := index .Chart.Annotations "devops-app.io/base-environment" -}}
{{- if ne $environment $base -}}
{{- $file := printf "values-%s.yaml" $environment -}}
{{- $declared := dict -}}
{{- $raw := .Files.Get $file -}}
{{- if $raw -}}
{{- $declared = fromYaml $raw -}}
{{- end -}}
{{- if ne (toString (get $declared "environment")) $environment -}}
{{- $known := list $base -}}
{{- range $path, $_ := .Files.Glob "values-*.yaml" -}}
{{- $name := get (fromYaml ($.Files.Get $path)) "environment" -}}
{{- if and $name (eq (printf "values-%s.yaml" (toString $name)) $path) -}}
{{- $known = append $known (toString $name) -}}
{{- end -}}
{{- end -}}
{{- include "inference.fail" (printf "environment: '%s' is not a known environment (known: %s); add charts/inference/%s declaring `environment: %s` to create it" $environment (join ", " (sortAlpha $known)) $file $environment) -}}
{{- end -}}
{{- end -}}
{{- $environment -}}
{{- end }}

{{/*
Stops the render with a message. `fail` alone is not enough: `helm lint` runs templates in lint mode, where
Helm turns `fail` into a logged no-op. Including a template that does not exist is an error in every mode,
and the missing template's name (the message) is what the error shows, so lint fails naming the field.
*/}}
{{- define "inference.fail" -}}
{{- fail . -}}
{{- include . nil -}}
{{- end }}
