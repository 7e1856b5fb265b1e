"""The built-in risky claims in Spanish: one pattern per claim id, matched on accent-folded text.

The patterns are written without accents (``curacion``, ``ningun``): ``claims.scan`` folds the
article's accents and letter case before matching, so "CURACIÓN" and "curación" match alike. The
reasons stay the English ones: they are for the staff who read ``publish.py check``.
"""

from __future__ import annotations

_SEGURO = r"(?:segur[oa]s?|inofensiv[oa]s?|inocu[oa]s?)"

SPANISH: dict[str, str] = {
    "guaranteed": r"\bgarantiz\w*|\bgarantias?\b",
    "cure": (
        r"\bcur(?:a|an|ar|ara|aran|ado|ada|ados|adas|ativ[oa]s?)(?:se|l[oa]s?)?\b"
        r"|\bcuraci(?:on|ones)\b"
    ),
    "100-percent": r"\b100\s?(?:%|por\s*ciento\b)|\bcien\s+por\s+cien(?:to)?\b",
    "no-side-effects": (
        r"\b(?:sin|ningun|ninguna|cero|no\s+(?:tiene|tienen|causa|causan|produce|producen|hay))\s+"
        r"(?:\w+\s+)?efectos?\s+(?:secundarios?|adversos?|colaterales?)\b"
    ),
    "miracle": r"\bmilagr\w*",
    # "es seguro que ..." says "it is certain that": not a claim of safety.
    "is-safe": (
        r"\b(?:es|son|era|eran|sera|seran|fue|fueron)\s+(?:\w+mente\s+|muy\s+)?" + _SEGURO + r"\b(?!\s+que\b)"
    ),
    "risk-free": (
        r"\bsin\s+(?:ningun\s+|ninguna\s+)?riesgos?\b|\b(?:cero|ningun)\s+riesgos?\b"
        r"|\blibre\s+de\s+riesgos?\b"
    ),
    "fast-results": (
        r"\b(?:rapido|rapidamente|ya|al\s+instante|inmediatamente|de\s+inmediato)\s*!"
        r"|\b(?:alivio|resultados?|cura)\s+(?:inmediat[oa]s?|instantane[oa]s?|rapid[oa]s?)\b"
        r"|\b(?:actua|actuan|funciona|funcionan)\s+(?:al\s+instante|de\s+inmediato|inmediatamente)\b"
    ),
    "proven": (
        r"\b(?:clinica|cientifica)mente\s+(?:probad|comprobad|demostrad)[oa]s?\b"
        r"|\b(?:esta|estan)\s+(?:probad|comprobad|demostrad)[oa]s?\b"
        r"|\beficacia\s+(?:probada|comprobada|demostrada)\b"
    ),
    "works-for-everyone": (
        r"\b(?:funciona|sirve|eficaz|efectiv[oa])\s+(?:para|en)\s+(?:todos|todas|todo\s+el\s+mundo"
        r"|cualquier\s+persona)\b|\bsiempre\s+funciona\b|\bnunca\s+falla\b"
    ),
    "not-addictive": (
        r"\bno\s+(?:\w+\s+){0,3}?(?:adictiv[oa]s?|adiccion|dependencia)\b"
        r"|\bsin\s+(?:riesgo\s+de\s+)?(?:adiccion|dependencia)\b"
    ),
    "natural-safe": r"\bnatural(?:es)?\b[^.!?]{0,30}?\b(?:" + _SEGURO + r"|suaves?)\b",
    "fda-approved": r"\baprobad[oa]s?\s+por\s+la\s+FDA\b|\baprobaci(?:on|ones)\s+de\s+la\s+FDA\b",
}

# Claim patterns by the language tag's first subtag; English is the claims' own pattern.
BY_LANGUAGE: dict[str, dict[str, str]] = {"es": SPANISH}
