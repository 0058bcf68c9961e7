{#- Shared pieces of the Bicep files. Every {{ x }} is a complete '...'
    literal (\' \\ \n \${ escaped); `|safe` only for symbols azmesh made. -#}
{% macro tags(t, pad) %}{
{% for k, v in t|items %}
{{ pad|safe }}  {{ k }}: {{ v }}
{% endfor %}
{{ pad|safe }}}{% endmacro %}
{% macro list(items, pad) %}[
{% for x in items %}
{{ pad|safe }}  {{ x }}
{% endfor %}
{{ pad|safe }}]{% endmacro %}
{% macro depends(symbols) %}
{% if symbols %}
  dependsOn: [
{% for s in symbols %}
    {{ s|safe }}
{% endfor %}
  ]
{% endif %}
{% endmacro %}
