{{/*
The smoke-traffic metric of the pre-promotion analysis: an Argo Rollouts `job` metric
(https://argo-rollouts.readthedocs.io/en/stable/analysis/job/, successful when the Job exits 0, failed
otherwise) that runs the service's own load generator from the image being rolled out against the preview
Service, so the Prometheus metrics beside it measure real requests to the preview pods. The controller
creates the Job in the Rollout's namespace when the analysis starts; the Prometheus metrics run in
parallel, and the load lasts until their last measurement has been scraped.

The load generator (services/inference/src/loadgen, built to dist/loadgen/main.js beside dist/main.js in
the image's working directory) exits 1 on any answer a healthy service would not give, a 5xx or a network
error, and 2 on a bad option.
*/}}
{{- define "inference.analysis.smokeTraffic" -}}
{{- $a := .Values.analysis -}}
{{- $s := $a.smokeTraffic -}}
{{- $lastMeasurement := add (include "inference.durationSeconds" $a.initialDelay) (mul (sub $a.count 1) (include "inference.durationSeconds" $a.interval)) -}}
{{- $seconds := add $lastMeasurement (include "inference.durationSeconds" .Values.serviceMonitor.interval) -}}
- name: smoke-traffic
  provider:
    job:
      metadata:
        labels:
          {{- include "inference.labels" . | nindent 10 }}
          app.kubernetes.io/component: smoke-traffic
      spec:
        # One run: a retry would send a second burst after the measurements are over.
        backoffLimit: 0
        # The wait for readiness, the load, and a minute to start the pod and report.
        activeDeadlineSeconds: {{ add $s.waitReadySeconds $seconds 60 }}
        template:
          metadata:
            labels:
              {{- include "inference.podLabels" . | nindent 14 }}
              # Not `server`: the Services never send traffic to these pods.
              app.kubernetes.io/component: smoke-traffic
          spec:
            restartPolicy: Never
            # The namespace's default ServiceAccount, without a token: the load generator calls nothing
            # but the preview Service.
            automountServiceAccountToken: false
            {{- with .Values.imagePullSecrets }}
            imagePullSecrets:
              {{- toYaml . | nindent 14 }}
            {{- end }}
            securityContext:
              {{- include "inference.podSecurityContext" . | nindent 14 }}
            containers:
              - name: loadgen
                image: {{ include "inference.image" . | quote }}
                imagePullPolicy: {{ .Values.image.pullPolicy }}
                command: ["node", "dist/loadgen/main.js"]
                args:
                  - --url
                  - {{ printf "http://%s:%v" (include "inference.previewServiceName" .) .Values.service.port | quote }}
                  - --rps
                  - {{ $s.rps | quote }}
                  - --seconds
                  - {{ $seconds | quote }}
                  - --concurrency
                  - {{ $s.concurrency | quote }}
                  - --invalid-ratio
                  - {{ $s.invalidRatio | quote }}
                  - --wait-ready
                  - {{ $s.waitReadySeconds | quote }}
                resources:
                  {{- toYaml $s.resources | nindent 18 }}
                securityContext:
                  {{- include "inference.containerSecurityContext" . | nindent 18 }}
                volumeMounts:
                  - name: tmp
                    mountPath: /tmp
            volumes:
              - name: tmp
                emptyDir:
                  sizeLimit: {{ .Values.tmpSizeLimit }}
            {{- with .Values.nodeSelector }}
            nodeSelector:
              {{- toYaml . | nindent 14 }}
            {{- end }}
            {{- with .Values.tolerations }}
            tolerations:
              {{- toYaml . | nindent 14 }}
            {{- end }}
{{- end }}
