"""Le filtre `euros` des gabarits du placement : celui de commun (« 1 234,50 € »), un seul format partout."""

from django import template

from commun.templatetags.francais import euros

register = template.Library()

register.filter("euros", euros)
