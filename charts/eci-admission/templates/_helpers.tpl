{{/* The name of every object: the release's, unless it already holds the chart's name. */}}
{{- define "eci-admission.fullname" -}}
{{- if .Values.fullnameOverride -}}{{ .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains .Chart.Name .Release.Name -}}{{ .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else -}}{{ printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end -}}
{{- end -}}

{{/* The label kustomize gives every object of deploy/, plus Helm's. */}}
{{- define "eci-admission.labels" -}}
app.kubernetes.io/part-of: eci-admission
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* The Secret the Deployment mounts at --cert-dir. */}}
{{- define "eci-admission.secretName" -}}
{{- if eq .Values.certificates.source "secret" -}}{{ required "certificates.secretName is required with certificates.source=secret" .Values.certificates.secretName }}
{{- else -}}{{ include "eci-admission.fullname" . }}-tls
{{- end -}}
{{- end -}}

{{/* The names the API server calls the Service by. */}}
{{- define "eci-admission.dnsNames" -}}
{{- $svc := printf "%s.%s.svc" (include "eci-admission.fullname" .) .Release.Namespace -}}
{{- list (include "eci-admission.fullname" .) (printf "%s.%s" (include "eci-admission.fullname" .) .Release.Namespace) $svc (printf "%s.cluster.local" $svc) | toJson -}}
{{- end -}}

{{/*
A self-signed CA and serving certificate, made once per render and shared by the Secret and the
caBundles (a named template cannot return a dict, so the PEMs travel as JSON).
*/}}
{{- define "eci-admission.selfSigned" -}}
{{- $ca := genCA "eci-admission CA" (mul .Values.certificates.days 2 | int) -}}
{{- $cert := genSignedCert (include "eci-admission.fullname" .) nil (include "eci-admission.dnsNames" . | fromJsonArray) (int .Values.certificates.days) $ca -}}
{{- dict "ca" $ca.Cert "cert" $cert.Cert "key" $cert.Key | toJson -}}
{{- end -}}

{{/*
The --config file of deploy/config.yaml with the values of its keys: keys sorted by toYaml, as
deploy/config.yaml writes them, so the defaults render the same text.
*/}}
{{- define "eci-admission.config" -}}
{{- $config := dict -}}
{{- range $key := list "allowOptOut" "clusterMode" "disableRules" "exemptGroups" "exemptNamespaces" "exemptServiceAccounts" "exemptUsers" "mode" "routing" "warnRules" -}}
{{- $_ := set $config $key (index $.Values $key) -}}
{{- end -}}
{{ toYaml $config }}
{{ end -}}
