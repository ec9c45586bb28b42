{{/* Names and labels shared by every template. */}}

{{- define "inference.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Object name prefix; Argo CD sets the release name to `inference`, so objects are `inference`, `inference-preview`, ... */}}
{{- define "inference.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "inference.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "inference.previewServiceName" -}}
{{- printf "%s-preview" (include "inference.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "inference.metricsServiceName" -}}
{{- printf "%s-metrics" (include "inference.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "inference.analysisTemplateName" -}}
{{- printf "%s-pre-promotion" (include "inference.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "inference.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "inference.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The version label value: the image tag, which values.schema.json already restricts to a label-safe form. */}}
{{- define "inference.version" -}}
{{- .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{/*
Labels on every object: Kubernetes recommended labels, the Backstage Kubernetes plugin's id, the portal's
service/environment labels, and Datadog unified service tagging.
*/}}
{{- define "inference.labels" -}}
helm.sh/chart: {{ include "inference.chart" . }}
{{ include "inference.podLabels" . }}
{{- end }}

{{/* The labels above less the chart version, for pod templates: a chart bump alone makes no new revision. */}}
{{- define "inference.podLabels" -}}
{{ include "inference.selectorLabels" . }}
app.kubernetes.io/version: {{ include "inference.version" . | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: devops-app
backstage.io/kubernetes-id: {{ .Values.serviceName }}
devops-app.io/service: {{ .Values.serviceName }}
devops-app.io/environment: {{ include "inference.environment" . }}
{{ include "inference.datadogLabels" . }}
{{- end }}

{{- define "inference.datadogLabels" -}}
tags.datadoghq.com/env: {{ include "inference.environment" . }}
tags.datadoghq.com/service: {{ .Values.serviceName }}
tags.datadoghq.com/version: {{ include "inference.version" . | quote }}
{{- end }}

{{/* Labels that identify this release's pods of every component (NetworkPolicy scope). */}}
{{- define "inference.selectorLabels" -}}
app.kubernetes.io/name: {{ include "inference.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Selector of the serving pods: the Rollout's selector, both Services', the PDB's. The component label keeps
the training Job's pods out of the Services.
*/}}
{{- define "inference.serverSelectorLabels" -}}
{{ include "inference.selectorLabels" . }}
app.kubernetes.io/component: server
{{- end }}

{{/*
`registry/repository:tag` of an image in the chart's registry (`image.registry`, the Terraform stack's
`acr_login_server`); call with (dict "root" $ "repository" "<path>" "tag" "<tag>").
*/}}
{{- define "inference.imageReference" -}}
{{- printf "%s/%s:%s" .root.Values.image.registry .repository .tag }}
{{- end }}

{{/* The inference service's image. */}}
{{- define "inference.image" -}}
{{- include "inference.imageReference" (dict "root" . "repository" .Values.image.repository "tag" (include "inference.version" .)) }}
{{- end }}

{{/* Seconds in a Prometheus/Argo duration such as `30s`, `2m` or `1h30m` (rounded up). */}}
{{- define "inference.durationSeconds" -}}
{{- $total := 0.0 -}}
{{- $units := dict "ms" 0.001 "s" 1.0 "m" 60.0 "h" 3600.0 -}}
{{- range regexFindAll "[0-9]+(ms|s|m|h)" (toString .) -1 -}}
{{- $total = addf $total (mulf (regexFind "^[0-9]+" .) (get $units (regexFind "(ms|s|m|h)$" .))) -}}
{{- end -}}
{{- ceil $total | int -}}
{{- end }}

{{/*
The restricted container security context: non-root, read-only root filesystem, no privilege escalation,
every capability dropped.
*/}}
{{- define "inference.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.podSecurityContext.runAsUser }}
runAsGroup: {{ .Values.podSecurityContext.runAsGroup }}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "inference.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.podSecurityContext.runAsUser }}
runAsGroup: {{ .Values.podSecurityContext.runAsGroup }}
fsGroup: {{ .Values.podSecurityContext.fsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/*
Environment both the service and the training Job need: blob storage access (the identity, or the
connection string) and Datadog unified service tagging. DD_ENV/DD_SERVICE/DD_VERSION come from the pod's own tags.datadoghq.com labels, as Datadog
recommends, so the labels and the tracer can never disagree; DD_AGENT_HOST is the node the pod runs on.
*/}}
{{- define "inference.sharedEnv" -}}
- name: DD_ENV
  valueFrom:
    fieldRef:
      fieldPath: metadata.labels['tags.datadoghq.com/env']
- name: DD_SERVICE
  valueFrom:
    fieldRef:
      fieldPath: metadata.labels['tags.datadoghq.com/service']
- name: DD_VERSION
  valueFrom:
    fieldRef:
      fieldPath: metadata.labels['tags.datadoghq.com/version']
- name: DD_AGENT_HOST
  valueFrom:
    fieldRef:
      fieldPath: status.hostIP
- name: MODEL_VERSION
  value: {{ .Values.model.version | quote }}
{{- if and .Values.azureWorkloadIdentity.enabled .Values.azureWorkloadIdentity.clientId }}
# The identity the storage stack federated with the ServiceAccount. The workload identity webhook injects
# the same id from the ServiceAccount's annotation; set here too so the rendered pod spec shows which
# identity the pods use.
- name: AZURE_CLIENT_ID
  value: {{ .Values.azureWorkloadIdentity.clientId | quote }}
{{- end }}
{{- if .Values.storage.connectionStringSecret.name }}
- name: AZURE_STORAGE_CONNECTION_STRING
  valueFrom:
    secretKeyRef:
      name: {{ .Values.storage.connectionStringSecret.name }}
      key: {{ .Values.storage.connectionStringSecret.key }}
{{- end }}
{{- end }}
