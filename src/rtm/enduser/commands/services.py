"""Content services (spec §3.11): answered as the server API's are."""

from __future__ import annotations

from rtm.enduser.spec import Command, Kind, Param

_TRANSLATION = (Param("source", Kind.STR), Param("target", Kind.STR),
                Param("sourceText", Kind.STR), Param("targetText", Kind.STR))
_CHECK = (Param("result", Kind.INT), Param("tags", Kind.STRS, optional=True))
_STRATEGY = Param("strategyId", Kind.STR, optional=True, arg="strategy_id")
_AUDIO = (Param("lang", Kind.STR), Param("codec", Kind.STR, optional=True),
          Param("srate", Kind.I32, optional=True))

SETLANG = Command("setlang", (Param("lang", Kind.STR),))
TRANSLATE = Command("translate", (
    Param("text", Kind.STR), Param("dst", Kind.STR, arg="target_language"),
    Param("src", Kind.STR, optional=True, arg="source_language"),
    Param("type", Kind.STR, optional=True, arg="text_type"),
    Param("profanity", Kind.STR, optional=True)), answer=_TRANSLATION)
PROFANITY = Command("profanity", (Param("text", Kind.STR),
                                  Param("classify", Kind.BOOL, optional=True)),
                    answer=(Param("text", Kind.STR),
                            Param("classification", Kind.STRS, optional=True)))
TCHECK = Command("tcheck", (Param("text", Kind.STR), _STRATEGY,
                            Param("checkParams", Kind.STR, optional=True, arg="check_params")),
                 answer=(Param("result", Kind.INT), Param("text", Kind.STR, optional=True),
                         Param("tags", Kind.STRS, optional=True),
                         Param("wlist", Kind.STRS, optional=True)))
ICHECK = Command("icheck", (Param("image", Kind.BODY), Param("type", Kind.I32, arg="image_type"),
                            _STRATEGY), answer=_CHECK)
ACHECK = Command("acheck", (Param("audio", Kind.BODY), Param("type", Kind.I32, arg="audio_type"),
                            *_AUDIO, _STRATEGY), answer=_CHECK)
VCHECK = Command("vcheck", (Param("video", Kind.BODY), Param("type", Kind.I32, arg="video_type"),
                            Param("videoName", Kind.STR, optional=True, arg="video_name"),
                            _STRATEGY), answer=_CHECK)
SPEECH2TEXT = Command("speech2text", (Param("audio", Kind.BODY),
                                      Param("type", Kind.I32, arg="audio_type"), *_AUDIO),
                      answer=(Param("text", Kind.STR), Param("lang", Kind.STR)))
SPEECHTRANSLATION = Command("speechtranslation", (
    Param("audio", Kind.BIN), Param("speechLanguageCode", Kind.STR, arg="speech_language"),
    Param("textLanguageCode", Kind.STR, arg="text_language"),
    Param("codec", Kind.STR, optional=True),
    Param("srate", Kind.I32, optional=True)), answer=_TRANSLATION)

COMMANDS = (SETLANG, TRANSLATE, PROFANITY, TCHECK, ICHECK, ACHECK, VCHECK, SPEECH2TEXT,
            SPEECHTRANSLATION)
