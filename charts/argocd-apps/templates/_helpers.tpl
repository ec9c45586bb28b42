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
The environment files are chart files, not values, so values.schema.json cannot see them: this is their
schema. Every environments/<name>.yaml is checked here, each key with a message naming the file and the key.

A production environment must follow a pinned revision. Git cannot tell a tag from a branch by its name,
so "pinned" is decided by shape: a full 40-hex commit SHA, or a release tag vMAJOR.MINOR.PATCH[-pre]
(release tags are protected from being moved in the Git host). `main`, `HEAD` or any other branch-like
name is refused.
*/}}
{{- define "argocd-apps.pinnedRevision" -}}
^([0-9a-f]{40}|v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?)$
{{- end }}

{{/*
The environments: every environments/<name>.yaml, checked, with `cluster` defaulted to the environment's
own name. Returns {"environments": [...]} as JSON, sorted by file name.
*/}}
{{- define "argocd-apps.environments" -}}
{{- $environments := list -}}
{{- $keys := list "name" "colour" "sync" "protected" "production" "cluster" "targetRevision" "server" -}}
{{- range $path, $_ := .Files.Glob "environments/*.yaml" -}}
{{- $environment := fromYaml ($.Files.Get $path) -}}
{{- $name := toString (get $environment "name") -}}
{{- if and (hasKey $environment "targetRevision") (kindIs "invalid" $environment.targetRevision) -}}
{{- $_ := unset $environment "targetRevision" -}}
{{- end -}}
{{- if not (regexMatch "^[a-z]([-a-z0-9]{0,30}[a-z0-9])?$" $name) -}}
{{- include "argocd-apps.fail" (printf "%s: name: '%s' is not a lower-case DNS label of at most 32 characters" $path $name) -}}
{{- end -}}
{{- if ne $path (printf "environments/%s.yaml" $name) -}}
{{- include "argocd-apps.fail" (printf "%s: name: '%s' does not match the file name" $path $name) -}}
{{- end -}}
{{- if not (has (get $environment "colour") (list "blue" "green")) -}}
{{- include "argocd-apps.fail" (printf "%s: colour: %v is not blue or green" $path (get $environment "colour")) -}}
{{- end -}}
{{- if not (has (get $environment "sync") (list "automated" "manual")) -}}
{{- include "argocd-apps.fail" (printf "%s: sync: %v is not automated or manual" $path (get $environment "sync")) -}}
{{- end -}}
{{- range $flag := list "protected" "production" -}}
{{- if not (kindIs "bool" (get $environment $flag)) -}}
{{- include "argocd-apps.fail" (printf "%s: %s: %v is not true or false (required)" $path $flag (get $environment $flag)) -}}
{{- end -}}
{{- end -}}
{{- if hasKey $environment "cluster" -}}
{{- if not (regexMatch "^[a-z]([-a-z0-9]{0,30}[a-z0-9])?$" (toString $environment.cluster)) -}}
{{- include "argocd-apps.fail" (printf "%s: cluster: '%s' is not an environment name (lower-case DNS label)" $path (toString $environment.cluster)) -}}
{{- end -}}
{{- else -}}
{{- $_ := set $environment "cluster" $name -}}
{{- end -}}
{{- if hasKey $environment "targetRevision" -}}
{{- if not (regexMatch "^[A-Za-z0-9][-A-Za-z0-9._/]*$" (toString $environment.targetRevision)) -}}
{{- include "argocd-apps.fail" (printf "%s: targetRevision: '%s' is not a Git revision" $path (toString $environment.targetRevision)) -}}
{{- end -}}
{{- end -}}
{{- if $environment.production -}}
{{- if not (hasKey $environment "targetRevision") -}}
{{- include "argocd-apps.fail" (printf "%s: targetRevision: required for a production environment (production: true): pin a 40-hex commit SHA or a release tag vX.Y.Z" $path) -}}
{{- end -}}
{{- if not (regexMatch (include "argocd-apps.pinnedRevision" $) (toString $environment.targetRevision)) -}}
{{- include "argocd-apps.fail" (printf "%s: targetRevision: '%s' is not pinned; a production environment (production: true) follows a 40-hex commit SHA or a release tag vX.Y.Z, never a branch" $path (toString $environment.targetRevision)) -}}
{{- end -}}
{{- end -}}
{{- if hasKey $environment "server" -}}
{{- if not (regexMatch "^https://\\S+$" (toString $environment.server)) -}}
{{- include "argocd-apps.fail" (printf "%s: server: '%s' is not an https URL" $path (toString $environment.server)) -}}
{{- end -}}
{{- end -}}
{{- range $key, $_ := $environment -}}
{{- if not (has $key $keys) -}}
{{- include "argocd-apps.fail" (printf "%s: %s: unknown key (allowed: %s)" $path $key (join ", " $keys)) -}}
{{- end -}}
{{- end -}}
{{- $environments = append $environments $environment -}}
{{- end -}}
{{- toJson (dict "environments" $environments) -}}
{{- end }}

{{/*
The environments of the cluster this chart is rendered for (.Values.cluster): those whose file names that
cluster (`cluster:`, default the environment's own name). Each cluster has its own Argo CD, which must
deploy only its own environments, never another's. A cluster no environment names stops the render: it is
a typo, or a cluster bootstrapped before its environment file was merged.
*/}}
{{- define "argocd-apps.clusterEnvironments" -}}
{{- $all := (include "argocd-apps.environments" . | fromJson).environments -}}
{{- $mine := list -}}
{{- $clusters := list -}}
{{- range $all -}}
{{- $clusters = append $clusters .cluster -}}
{{- if eq .cluster $.Values.cluster -}}
{{- $mine = append $mine . -}}
{{- end -}}
{{- end -}}
{{- if not $mine -}}
{{- include "argocd-apps.fail" (printf "cluster: '%s' is no environment's cluster (the environment files name: %s); bootstrap with --set cluster=<environment>" .Values.cluster (join ", " (uniq $clusters | sortAlpha))) -}}
{{- end -}}
{{- toJson (dict "environments" $mine) -}}
{{- end }}
