{{/*
A Service in front of the serving pods. The active and preview Services are identical as rendered; the
Argo Rollouts controller then pins each to a revision by adding rollouts-pod-template-hash to its
selector. Argo CD ignores that controller-owned difference (see charts/argocd-apps ignoreDifferences).
Call with (dict "root" $ "name" <name> "role" <active|preview>).
*/}}
{{- define "inference.service" -}}
{{- $root := .root -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ .name }}
  namespace: {{ $root.Values.namespace }}
  labels:
    {{- include "inference.labels" $root | nindent 4 }}
    app.kubernetes.io/component: server
    devops-app.io/service-role: {{ .role }}
  {{- with $root.Values.service.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  type: {{ $root.Values.service.type }}
  selector:
    {{- include "inference.serverSelectorLabels" $root | nindent 4 }}
  ports:
    - name: http
      port: {{ $root.Values.service.port }}
      targetPort: http
      protocol: TCP
{{- end }}
