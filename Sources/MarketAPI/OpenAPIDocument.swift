/// The OpenAPI 3.1 document of the API, served at `GET /openapi.json`: the machine-readable form of
/// docs/listings.md, docs/vouchers.md and of the health and reference-data endpoints. Kept by hand, in step with them.
enum OpenAPIDocument {
    static let json: String = ##"""
{
  "openapi": "3.1.0",
  "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
  "info": {
    "title": "TechMarket API",
    "version": "1.0.0",
    "summary": "Technology transfer market: reference data, participants, listings and innovation vouchers.",
    "description": "Every error is an RFC 9457 problem detail (`application/problem+json`). Requests are identified by `X-Request-Id`. Keys are sent as `Authorization: Bearer tmk_…`. POSTs that move voucher money (create a program, issue, redeem, approve, reject, settle) need an `Idempotency-Key` header; a retry with the same key and request returns the first response with `Idempotent-Replayed: true`. Every string a client sends, in a body, the path or the query, is refused (400, naming the field) when it holds a control character (U+0000–U+001F, U+007F–U+009F) or a lone surrogate; only the fields whose schema says so allow tabs and line feeds. A JSON body may not give a key twice in one object or nest arrays and objects more than 32 deep. Lists are pages of at most 100 items (`limit`, `cursor`, `nextCursor`)."
  },
  "tags": [
    {
      "name": "service"
    },
    {
      "name": "reference data"
    },
    {
      "name": "parties"
    },
    {
      "name": "listings"
    },
    {
      "name": "vouchers",
      "description": "Innovation vouchers (创新券): programs, vouchers, redemptions, claims and settlement (docs/vouchers.md)."
    }
  ],
  "paths": {
    "/health": {
      "get": {
        "operationId": "getHealth",
        "tags": [
          "service"
        ],
        "summary": "Whether the service and its database answer",
        "security": [
          {},
          {
            "apiKey": []
          }
        ],
        "parameters": [],
        "responses": {
          "200": {
            "description": "The service and its database answer.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Health"
                }
              }
            },
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequestLine"
          },
          "503": {
            "description": "The database does not answer; `status` is `unavailable`.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Health"
                }
              }
            },
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            }
          }
        }
      }
    },
    "/v1": {
      "get": {
        "operationId": "getAPIIndex",
        "tags": [
          "service"
        ],
        "summary": "Where things are: links to the collections and this document (static, no database)",
        "security": [
          {},
          {
            "apiKey": []
          }
        ],
        "parameters": [],
        "responses": {
          "200": {
            "description": "The index of the API.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "additionalProperties": false,
                  "required": [
                    "name",
                    "version",
                    "documentation",
                    "links"
                  ],
                  "properties": {
                    "name": {
                      "type": "string"
                    },
                    "version": {
                      "type": "string",
                      "const": "v1"
                    },
                    "documentation": {
                      "type": "string"
                    },
                    "links": {
                      "type": "object",
                      "additionalProperties": {
                        "type": "string"
                      }
                    }
                  }
                }
              }
            },
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequestLine"
          }
        }
      }
    },
    "/openapi.json": {
      "get": {
        "operationId": "getOpenAPIDocument",
        "tags": [
          "service"
        ],
        "summary": "This document",
        "security": [
          {},
          {
            "apiKey": []
          }
        ],
        "parameters": [],
        "responses": {
          "200": {
            "description": "The OpenAPI 3.1 document of the API.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "required": [
                    "openapi",
                    "info",
                    "paths"
                  ],
                  "properties": {
                    "openapi": {
                      "type": "string",
                      "const": "3.1.0"
                    }
                  }
                }
              }
            },
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequestLine"
          }
        }
      }
    },
    "/v1/regions": {
      "get": {
        "operationId": "listRegions",
        "tags": [
          "reference data"
        ],
        "summary": "Regions of the GB/T 2260 hierarchy",
        "security": [
          {},
          {
            "apiKey": []
          }
        ],
        "parameters": [
          {
            "name": "parent",
            "in": "query",
            "required": false,
            "description": "Only the regions directly below this one.",
            "schema": {
              "$ref": "#/components/schemas/RegionCode"
            }
          },
          {
            "name": "alliance",
            "in": "query",
            "required": false,
            "description": "Only the member regions of this alliance, and the regions below them.",
            "schema": {
              "type": "string",
              "minLength": 1,
              "maxLength": 32
            }
          },
          {
            "name": "level",
            "in": "query",
            "required": false,
            "description": "Only regions of this level.",
            "schema": {
              "type": "string",
              "enum": [
                "province",
                "city",
                "county"
              ]
            }
          }
        ],
        "responses": {
          "200": {
            "description": "The regions that match, by code.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/RegionPage"
                }
              }
            },
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            }
          },
          "400": {
            "description": "A parameter was malformed, or is not one of `parent`, `alliance`, `level`.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "invalid_parameter"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/regions/{code}": {
      "get": {
        "operationId": "getRegion",
        "tags": [
          "reference data"
        ],
        "summary": "One region",
        "security": [
          {},
          {
            "apiKey": []
          }
        ],
        "parameters": [
          {
            "name": "code",
            "in": "path",
            "required": true,
            "description": "The region's GB/T 2260 code.",
            "schema": {
              "$ref": "#/components/schemas/RegionCode"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "The region.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Region"
                }
              }
            },
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            }
          },
          "400": {
            "description": "The code is not six digits.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "invalid_parameter"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "404": {
            "description": "No region has this code.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "not_found"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/alliances": {
      "get": {
        "operationId": "listAlliances",
        "tags": [
          "reference data"
        ],
        "summary": "Alliances of regions",
        "security": [
          {},
          {
            "apiKey": []
          }
        ],
        "parameters": [],
        "responses": {
          "200": {
            "description": "Every alliance.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/AlliancePage"
                }
              }
            },
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequestLine"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/fields": {
      "get": {
        "operationId": "listFields",
        "tags": [
          "reference data"
        ],
        "summary": "Technical fields of the taxonomy",
        "security": [
          {},
          {
            "apiKey": []
          }
        ],
        "parameters": [],
        "responses": {
          "200": {
            "description": "Every technical field.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/TechnicalFieldPage"
                }
              }
            },
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequestLine"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/parties": {
      "get": {
        "operationId": "listParties",
        "tags": [
          "parties"
        ],
        "summary": "The directory of participants, by id",
        "security": [
          {},
          {
            "apiKey": []
          }
        ],
        "parameters": [
          {
            "name": "kind",
            "in": "query",
            "required": false,
            "description": "Only participants of this kind.",
            "schema": {
              "$ref": "#/components/schemas/PartyKind"
            }
          },
          {
            "name": "region",
            "in": "query",
            "required": false,
            "description": "Only participants of this region.",
            "schema": {
              "$ref": "#/components/schemas/RegionCode"
            }
          },
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "description": "Participants per page.",
            "schema": {
              "type": "integer",
              "minimum": 1,
              "maximum": 100,
              "default": 50
            }
          },
          {
            "name": "cursor",
            "in": "query",
            "required": false,
            "description": "The `nextCursor` of the previous page; only with the same filters and sort.",
            "schema": {
              "type": "string",
              "minLength": 1
            }
          }
        ],
        "responses": {
          "200": {
            "description": "A page of participants.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/PartyPage"
                }
              }
            },
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            }
          },
          "400": {
            "description": "A parameter was malformed or unknown, or the cursor does not fit (named in `errors`).",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "invalid_parameter"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/KeyRejected"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      },
      "post": {
        "operationId": "createParty",
        "tags": [
          "parties"
        ],
        "summary": "Registers a participant (admin)",
        "security": [
          {
            "apiKey": []
          }
        ],
        "parameters": [],
        "requestBody": {
          "required": true,
          "description": "The participant.",
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/PartyCreate"
              }
            }
          }
        },
        "responses": {
          "201": {
            "description": "Registered.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Party"
                }
              }
            },
            "headers": {
              "Location": {
                "$ref": "#/components/headers/Location"
              },
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            }
          },
          "400": {
            "description": "A field was refused (named in `errors`): a malformed or unknown field, a credit code whose check character is wrong, a missing credit code, an unknown region.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/KeyRequired"
          },
          "403": {
            "description": "The key is not an admin's.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "forbidden"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "409": {
            "description": "The handle (`duplicate_handle`) or the credit code (`duplicate_credit_code`) is taken.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "duplicate_handle",
                            "duplicate_credit_code"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "413": {
            "$ref": "#/components/responses/BodyTooLarge"
          },
          "415": {
            "$ref": "#/components/responses/NotJSON"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/parties/{id}": {
      "get": {
        "operationId": "getParty",
        "tags": [
          "parties"
        ],
        "summary": "One participant",
        "security": [
          {},
          {
            "apiKey": []
          }
        ],
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "description": "The participant's id.",
            "schema": {
              "type": "integer",
              "format": "int64",
              "minimum": 1
            }
          }
        ],
        "responses": {
          "200": {
            "description": "The participant.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Party"
                }
              }
            },
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadId"
          },
          "401": {
            "$ref": "#/components/responses/KeyRejected"
          },
          "404": {
            "description": "No participant has this id.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "not_found"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/me": {
      "get": {
        "operationId": "getMe",
        "tags": [
          "parties"
        ],
        "summary": "The caller: its key, role and party",
        "security": [
          {
            "apiKey": []
          }
        ],
        "parameters": [],
        "responses": {
          "200": {
            "description": "The caller.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Me"
                }
              }
            },
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequestLine"
          },
          "401": {
            "$ref": "#/components/responses/KeyRequired"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/listings": {
      "get": {
        "operationId": "searchListings",
        "tags": [
          "listings"
        ],
        "summary": "Searches and lists listings",
        "security": [
          {},
          {
            "apiKey": []
          }
        ],
        "parameters": [
          {
            "name": "q",
            "in": "query",
            "required": false,
            "description": "Search text; every term (split on spaces) must match.",
            "schema": {
              "type": "string",
              "maxLength": 100
            }
          },
          {
            "name": "field",
            "in": "query",
            "required": false,
            "description": "A field code.",
            "schema": {
              "$ref": "#/components/schemas/FieldCode"
            }
          },
          {
            "name": "trlMin",
            "in": "query",
            "required": false,
            "description": "Lowest technology readiness level.",
            "schema": {
              "type": "integer",
              "minimum": 1,
              "maximum": 9
            }
          },
          {
            "name": "trlMax",
            "in": "query",
            "required": false,
            "description": "Highest technology readiness level.",
            "schema": {
              "type": "integer",
              "minimum": 1,
              "maximum": 9
            }
          },
          {
            "name": "mode",
            "in": "query",
            "required": false,
            "description": "Only listings offering this transfer mode.",
            "schema": {
              "$ref": "#/components/schemas/TransferMode"
            }
          },
          {
            "name": "priceMin",
            "in": "query",
            "required": false,
            "description": "Lowest asking price in fen; only priced listings match.",
            "schema": {
              "type": "integer",
              "format": "int64",
              "minimum": 0
            }
          },
          {
            "name": "priceMax",
            "in": "query",
            "required": false,
            "description": "Highest asking price in fen; only priced listings match.",
            "schema": {
              "type": "integer",
              "format": "int64",
              "minimum": 0
            }
          },
          {
            "name": "negotiable",
            "in": "query",
            "required": false,
            "description": "Only negotiable (true) or only priced (false) listings.",
            "schema": {
              "type": "boolean"
            }
          },
          {
            "name": "institution",
            "in": "query",
            "required": false,
            "description": "Only this institution's listings (a party id).",
            "schema": {
              "type": "integer",
              "format": "int64",
              "minimum": 1
            }
          },
          {
            "name": "region",
            "in": "query",
            "required": false,
            "description": "Only listings of this region or of the regions below it.",
            "schema": {
              "$ref": "#/components/schemas/RegionCode"
            }
          },
          {
            "name": "status",
            "in": "query",
            "required": false,
            "description": "Default `published`. `draft` and `withdrawn` only for an institution (its own listings) or an admin.",
            "schema": {
              "$ref": "#/components/schemas/ListingStatus",
              "default": "published"
            }
          },
          {
            "name": "sort",
            "in": "query",
            "required": false,
            "description": "`relevance` is the default with `q`, `newest` without.",
            "schema": {
              "type": "string",
              "enum": [
                "relevance",
                "newest",
                "price_asc",
                "price_desc"
              ]
            }
          },
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "description": "Items per page.",
            "schema": {
              "type": "integer",
              "minimum": 1,
              "maximum": 100,
              "default": 20
            }
          },
          {
            "name": "cursor",
            "in": "query",
            "required": false,
            "description": "The `nextCursor` of the previous page; only with the same filters and sort.",
            "schema": {
              "type": "string",
              "minLength": 1
            }
          }
        ],
        "responses": {
          "200": {
            "description": "A page of listings.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ListingPage"
                }
              }
            },
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            }
          },
          "400": {
            "description": "A parameter was malformed or unknown, or the cursor does not fit (named in `errors`).",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "invalid_parameter"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "401": {
            "description": "A key was sent that is unknown or revoked, or the `Authorization` header is malformed; or `status` is `draft` or `withdrawn` and no key was sent.",
            "headers": {
              "WWW-Authenticate": {
                "$ref": "#/components/headers/WWWAuthenticate"
              },
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "unauthenticated"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "403": {
            "description": "`status` is `draft` or `withdrawn` and the caller is neither an institution nor an admin.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "forbidden"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      },
      "post": {
        "operationId": "createListing",
        "tags": [
          "listings"
        ],
        "summary": "Creates a draft listing (institution)",
        "security": [
          {
            "apiKey": []
          }
        ],
        "parameters": [],
        "requestBody": {
          "required": true,
          "description": "The listing.",
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/ListingCreate"
              }
            }
          }
        },
        "responses": {
          "201": {
            "description": "The draft.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Listing"
                }
              }
            },
            "headers": {
              "Location": {
                "$ref": "#/components/headers/Location"
              },
              "ETag": {
                "$ref": "#/components/headers/ETag"
              },
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            }
          },
          "400": {
            "description": "A field was refused (named in `errors`), or an unknown field was sent.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/KeyRequired"
          },
          "403": {
            "description": "The key is not an institution's.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "forbidden"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "409": {
            "description": "The institution already has a listing with this `reference`.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "duplicate_reference"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "413": {
            "$ref": "#/components/responses/BodyTooLarge"
          },
          "415": {
            "$ref": "#/components/responses/NotJSON"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/listings/{id}": {
      "get": {
        "operationId": "getListing",
        "tags": [
          "listings"
        ],
        "summary": "One listing",
        "security": [
          {},
          {
            "apiKey": []
          }
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/ListingId"
          }
        ],
        "responses": {
          "200": {
            "description": "The listing.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Listing"
                }
              }
            },
            "headers": {
              "ETag": {
                "$ref": "#/components/headers/ETag"
              },
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadId"
          },
          "401": {
            "$ref": "#/components/responses/KeyRejected"
          },
          "404": {
            "$ref": "#/components/responses/ListingNotFound"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      },
      "patch": {
        "operationId": "updateListing",
        "tags": [
          "listings"
        ],
        "summary": "Changes the fields given (its institution)",
        "security": [
          {
            "apiKey": []
          }
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/ListingId"
          },
          {
            "name": "If-Match",
            "in": "header",
            "required": false,
            "description": "`\"<version>\"` as read from the `ETag`; a stale one → 412 `precondition_failed`. Either this or the body's `version` is needed (neither → 428).",
            "schema": {
              "type": "string",
              "pattern": "^(W/)?\"[0-9]+\"$"
            }
          }
        ],
        "requestBody": {
          "required": true,
          "description": "The fields to change.",
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/ListingUpdate"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "The changed listing.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Listing"
                }
              }
            },
            "headers": {
              "ETag": {
                "$ref": "#/components/headers/ETag"
              },
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            }
          },
          "400": {
            "description": "A field was refused (named in `errors`), an unknown field was sent, nothing would change, `version` and `If-Match` disagree, or the id or `If-Match` is malformed.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/KeyRequired"
          },
          "403": {
            "$ref": "#/components/responses/NotTheHolder"
          },
          "404": {
            "$ref": "#/components/responses/ListingNotFound"
          },
          "409": {
            "description": "The body's `version` is stale (`version_conflict`), the listing is no longer a draft or published (`invalid_transition`), or the new `reference` is taken (`duplicate_reference`).",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "version_conflict",
                            "invalid_transition",
                            "duplicate_reference"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "412": {
            "$ref": "#/components/responses/StaleIfMatch"
          },
          "413": {
            "$ref": "#/components/responses/BodyTooLarge"
          },
          "415": {
            "$ref": "#/components/responses/NotJSON"
          },
          "428": {
            "description": "Neither `If-Match` nor a `version` field was given.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "precondition_required"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/listings/{id}/publish": {
      "post": {
        "operationId": "publishListing",
        "tags": [
          "listings"
        ],
        "summary": "Publishes a draft (its institution)",
        "description": "draft → published.",
        "security": [
          {
            "apiKey": []
          }
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/ListingId"
          },
          {
            "$ref": "#/components/parameters/IfMatchOptional"
          }
        ],
        "responses": {
          "200": {
            "$ref": "#/components/responses/ListingMoved"
          },
          "400": {
            "$ref": "#/components/responses/BadIdOrIfMatch"
          },
          "401": {
            "$ref": "#/components/responses/KeyRequired"
          },
          "403": {
            "$ref": "#/components/responses/NotTheHolder"
          },
          "404": {
            "$ref": "#/components/responses/ListingNotFound"
          },
          "409": {
            "description": "The lifecycle does not allow draft → published from the listing's status.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "invalid_transition"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "412": {
            "$ref": "#/components/responses/StaleIfMatch"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/listings/{id}/withdraw": {
      "post": {
        "operationId": "withdrawListing",
        "tags": [
          "listings"
        ],
        "summary": "Withdraws a draft or published listing (its institution)",
        "description": "draft or published → withdrawn.",
        "security": [
          {
            "apiKey": []
          }
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/ListingId"
          },
          {
            "$ref": "#/components/parameters/IfMatchOptional"
          }
        ],
        "responses": {
          "200": {
            "$ref": "#/components/responses/ListingMoved"
          },
          "400": {
            "$ref": "#/components/responses/BadIdOrIfMatch"
          },
          "401": {
            "$ref": "#/components/responses/KeyRequired"
          },
          "403": {
            "$ref": "#/components/responses/NotTheHolder"
          },
          "404": {
            "$ref": "#/components/responses/ListingNotFound"
          },
          "409": {
            "description": "The lifecycle does not allow draft or published → withdrawn from the listing's status.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "invalid_transition"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "412": {
            "$ref": "#/components/responses/StaleIfMatch"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/voucher-programs": {
      "get": {
        "operationId": "listVoucherPrograms",
        "tags": [
          "vouchers"
        ],
        "summary": "Voucher programs (regulator: its region's; admin: all)",
        "description": "Each with its budget used (`issuedFen`), what remains and the cross-region flows.",
        "security": [
          {
            "apiKey": []
          }
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/PageLimit"
          },
          {
            "$ref": "#/components/parameters/PageCursor"
          }
        ],
        "responses": {
          "200": {
            "description": "The programs the caller may see.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/VoucherProgramList"
                }
              }
            },
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            }
          },
          "400": {
            "description": "A parameter is malformed, unknown or repeated, or the cursor is not one of this list (named in `errors`).",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "invalid_parameter"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/KeyRequired"
          },
          "403": {
            "description": "The key is neither a regulator's nor an admin's.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "forbidden"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      },
      "post": {
        "operationId": "createVoucherProgram",
        "tags": [
          "vouchers"
        ],
        "summary": "Creates and funds a voucher program of the caller's region (regulator)",
        "description": "The budget moves from the region's treasury to the program in the ledger, under an `Idempotency-Key`: a retry with the key returns the first response; the same program created again under another key is refused as `duplicate_name`.",
        "security": [
          {
            "apiKey": []
          }
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/IdempotencyKey"
          }
        ],
        "requestBody": {
          "required": true,
          "description": "The program's terms.",
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/ProgramCreate"
              }
            }
          }
        },
        "responses": {
          "201": {
            "description": "The program, funded.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/VoucherProgram"
                }
              }
            },
            "headers": {
              "Location": {
                "$ref": "#/components/headers/Location"
              },
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              },
              "Idempotent-Replayed": {
                "$ref": "#/components/headers/IdempotentReplayed"
              }
            }
          },
          "400": {
            "description": "A field was refused (`invalid_parameter`, named in `errors`): malformed, missing or unknown, a face value out of range, an unknown `firmId`; or the `Idempotency-Key` is missing or malformed (`idempotency_key_required`).",
            "headers": {
              "Idempotent-Replayed": {
                "$ref": "#/components/headers/IdempotentReplayed"
              },
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "invalid_parameter",
                            "idempotency_key_required"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/KeyRequired"
          },
          "403": {
            "description": "The key is not a regulator's (an admin's is not either).",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              },
              "Idempotent-Replayed": {
                "$ref": "#/components/headers/IdempotentReplayed"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "forbidden"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "409": {
            "description": "The region already has a program of this name for this year. Or `idempotency_key_in_use`: the first request with this Idempotency-Key is still running.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              },
              "Idempotent-Replayed": {
                "$ref": "#/components/headers/IdempotentReplayed"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "duplicate_name",
                            "idempotency_key_in_use"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "413": {
            "$ref": "#/components/responses/BodyTooLarge"
          },
          "415": {
            "$ref": "#/components/responses/NotJSON"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          },
          "422": {
            "description": "`idempotency_key_reused`: this Idempotency-Key was first sent with another request.",
            "headers": {
              "Idempotent-Replayed": {
                "$ref": "#/components/headers/IdempotentReplayed"
              },
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "idempotency_key_reused"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          }
        }
      }
    },
    "/v1/voucher-programs/{id}": {
      "get": {
        "operationId": "getVoucherProgram",
        "tags": [
          "vouchers"
        ],
        "summary": "One voucher program (its region's regulator, admin)",
        "security": [
          {
            "apiKey": []
          }
        ],
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "description": "The program's id.",
            "schema": {
              "type": "integer",
              "format": "int64",
              "minimum": 1
            }
          }
        ],
        "responses": {
          "200": {
            "description": "The program.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/VoucherProgram"
                }
              }
            },
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadId"
          },
          "401": {
            "$ref": "#/components/responses/KeyRequired"
          },
          "403": {
            "description": "The key is neither a regulator's nor an admin's.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "forbidden"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "404": {
            "description": "No such program, or one of another region than the regulator's.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "not_found"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/voucher-programs/{id}/vouchers": {
      "post": {
        "operationId": "issueVoucher",
        "tags": [
          "vouchers"
        ],
        "summary": "Issues a voucher to a firm of the program's region (its regulator)",
        "description": "The face value moves from the program's budget to the new voucher. Caps count the face values issued to the firm (and to its controller group) in the program's year by all programs of the issuing region. Refusals of the rules are 422 with their numbers in `values`. A replay of a refusal returns it again, with `Idempotent-Replayed: true`.",
        "security": [
          {
            "apiKey": []
          }
        ],
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "description": "The program's id.",
            "schema": {
              "type": "integer",
              "format": "int64",
              "minimum": 1
            }
          },
          {
            "$ref": "#/components/parameters/IdempotencyKey"
          }
        ],
        "requestBody": {
          "required": true,
          "description": "The firm and the face value.",
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/VoucherIssue"
              }
            }
          }
        },
        "responses": {
          "201": {
            "description": "The voucher, with its new number.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Voucher"
                }
              }
            },
            "headers": {
              "Idempotent-Replayed": {
                "$ref": "#/components/headers/IdempotentReplayed"
              },
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            }
          },
          "400": {
            "description": "A field was refused (`invalid_parameter`, named in `errors`): malformed, missing or unknown, a face value out of range, an unknown `firmId`; or the `Idempotency-Key` is missing or malformed (`idempotency_key_required`).",
            "headers": {
              "Idempotent-Replayed": {
                "$ref": "#/components/headers/IdempotentReplayed"
              },
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "invalid_parameter",
                            "idempotency_key_required"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/KeyRequired"
          },
          "403": {
            "description": "The key is not a regulator's of the program's region.",
            "headers": {
              "Idempotent-Replayed": {
                "$ref": "#/components/headers/IdempotentReplayed"
              },
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "forbidden"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "404": {
            "description": "No such program.",
            "headers": {
              "Idempotent-Replayed": {
                "$ref": "#/components/headers/IdempotentReplayed"
              },
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "not_found"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "409": {
            "description": "`duplicate_number`: the voucher number drawn was taken meanwhile (retry with a new key); `idempotency_key_in_use`: the first request with this `Idempotency-Key` is still running; retry once it has finished.",
            "headers": {
              "Idempotent-Replayed": {
                "$ref": "#/components/headers/IdempotentReplayed"
              },
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "duplicate_number",
                            "idempotency_key_in_use"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "413": {
            "$ref": "#/components/responses/BodyTooLarge"
          },
          "415": {
            "$ref": "#/components/responses/NotJSON"
          },
          "422": {
            "description": "Refused by the voucher rules: `not_a_firm` (the participant is not a firm); `firm_not_in_region` (the firm is registered outside the program's region); `program_closed` (past the program's `useBy`); `program_budget_exceeded` (`values`: `remainingFen`, `requestedFen`); `firm_cap_exceeded` or `group_cap_exceeded` (`values`: `issuedFen`, `capFen`, `requestedFen`); `voucher_numbers_exhausted` (the region has used every 6-digit serial of the year). Or `idempotency_key_reused`: the `Idempotency-Key` was first sent with another method, path or body; use a new key for a new request.",
            "headers": {
              "Idempotent-Replayed": {
                "$ref": "#/components/headers/IdempotentReplayed"
              },
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "not_a_firm",
                            "firm_not_in_region",
                            "program_closed",
                            "program_budget_exceeded",
                            "firm_cap_exceeded",
                            "group_cap_exceeded",
                            "voucher_numbers_exhausted",
                            "idempotency_key_reused"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/vouchers": {
      "get": {
        "operationId": "listVouchers",
        "tags": [
          "vouchers"
        ],
        "summary": "Vouchers (firm: its own; regulator: its region's; admin: all)",
        "security": [
          {
            "apiKey": []
          }
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/PageLimit"
          },
          {
            "$ref": "#/components/parameters/PageCursor"
          }
        ],
        "responses": {
          "200": {
            "description": "The vouchers the caller may see.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/VoucherList"
                }
              }
            },
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            }
          },
          "400": {
            "description": "A parameter is malformed, unknown or repeated, or the cursor is not one of this list (named in `errors`).",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "invalid_parameter"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/KeyRequired"
          },
          "403": {
            "description": "The key is an institution's or a provider's.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "forbidden"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/vouchers/{number}": {
      "get": {
        "operationId": "getVoucher",
        "tags": [
          "vouchers"
        ],
        "summary": "One voucher (its firm, the issuing regulator, admin)",
        "security": [
          {
            "apiKey": []
          }
        ],
        "parameters": [
          {
            "name": "number",
            "in": "path",
            "required": true,
            "description": "The voucher's number (`<region>-<year>-<6 digits>`, such as `330521-2026-000001`); any other text is simply not found.",
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "The voucher.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Voucher"
                }
              }
            },
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequestLine"
          },
          "401": {
            "$ref": "#/components/responses/KeyRequired"
          },
          "403": {
            "description": "The key is an institution's or a provider's.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "forbidden"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "404": {
            "description": "No such voucher, or one the caller may not see (another firm's, another region's).",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "not_found"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/vouchers/{number}/redemptions": {
      "post": {
        "operationId": "redeemVoucher",
        "tags": [
          "vouchers"
        ],
        "summary": "Redeems part of a voucher against a service contract (the holding firm)",
        "description": "The voucher amount is held (a pending ledger transfer from the voucher to what the issuing region owes the provider) until the provider's claim is approved, rejected or lapses. Refusals of the rules are 422 with their numbers in `values`. A replay of a refusal returns it again, with `Idempotent-Replayed: true`.",
        "security": [
          {
            "apiKey": []
          }
        ],
        "parameters": [
          {
            "name": "number",
            "in": "path",
            "required": true,
            "description": "The voucher's number (`<region>-<year>-<6 digits>`, such as `330521-2026-000001`); any other text is simply not found.",
            "schema": {
              "type": "string"
            }
          },
          {
            "$ref": "#/components/parameters/IdempotencyKey"
          }
        ],
        "requestBody": {
          "required": true,
          "description": "The contract and the amounts.",
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/RedemptionCreate"
              }
            }
          }
        },
        "responses": {
          "201": {
            "description": "The redemption, `held`.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Redemption"
                }
              }
            },
            "headers": {
              "Idempotent-Replayed": {
                "$ref": "#/components/headers/IdempotentReplayed"
              },
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            }
          },
          "400": {
            "description": "A field was refused (`invalid_parameter`, named in `errors`): malformed, missing or unknown, out of range, a voucher amount above the contract amount; or the `Idempotency-Key` is missing or malformed (`idempotency_key_required`).",
            "headers": {
              "Idempotent-Replayed": {
                "$ref": "#/components/headers/IdempotentReplayed"
              },
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "invalid_parameter",
                            "idempotency_key_required"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/KeyRequired"
          },
          "403": {
            "description": "The caller may see the voucher but is not the firm holding it.",
            "headers": {
              "Idempotent-Replayed": {
                "$ref": "#/components/headers/IdempotentReplayed"
              },
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "forbidden"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "404": {
            "description": "No such voucher, or one the caller may not see.",
            "headers": {
              "Idempotent-Replayed": {
                "$ref": "#/components/headers/IdempotentReplayed"
              },
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "not_found"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "409": {
            "description": "`idempotency_key_in_use`: the first request with this `Idempotency-Key` is still running; retry once it has finished.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "idempotency_key_in_use"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "413": {
            "$ref": "#/components/responses/BodyTooLarge"
          },
          "415": {
            "$ref": "#/components/responses/NotJSON"
          },
          "422": {
            "description": "Refused by the voucher rules: `voucher_expired` (past its `useBy`); `provider_not_admitted` (not an admitted provider); `provider_region_not_honoured`; `exceeds_program_share` (`values`: `maxVoucherAmountFen`, `shareBasisPoints`, `requestedFen`); `exceeds_voucher_remaining` (`values`: `remainingFen`, `requestedFen`, or only `requestedFen` when the ledger refused); `own_payment_too_small` (`values`: `minOwnPaymentFen`, `ownPaymentFen`); `contract_already_redeemed` (the provider's contract is already paid with a voucher). Or `idempotency_key_reused`: the `Idempotency-Key` was first sent with another method, path or body; use a new key for a new request.",
            "headers": {
              "Idempotent-Replayed": {
                "$ref": "#/components/headers/IdempotentReplayed"
              },
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "voucher_expired",
                            "provider_not_admitted",
                            "provider_region_not_honoured",
                            "exceeds_program_share",
                            "exceeds_voucher_remaining",
                            "own_payment_too_small",
                            "contract_already_redeemed",
                            "idempotency_key_reused"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/redemptions": {
      "get": {
        "operationId": "listRedemptions",
        "tags": [
          "vouchers"
        ],
        "summary": "Redemptions (firm: of its vouchers; provider: its own; regulator: its region's; admin: all)",
        "description": "An institution's key sees none.",
        "security": [
          {
            "apiKey": []
          }
        ],
        "parameters": [
          {
            "name": "status",
            "in": "query",
            "required": false,
            "description": "Only redemptions in this state.",
            "schema": {
              "$ref": "#/components/schemas/RedemptionStatus"
            }
          },
          {
            "$ref": "#/components/parameters/PageLimit"
          },
          {
            "$ref": "#/components/parameters/PageCursor"
          }
        ],
        "responses": {
          "200": {
            "description": "The redemptions the caller may see, by id.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/RedemptionList"
                }
              }
            },
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            }
          },
          "400": {
            "description": "`status` is not a state, or a parameter is malformed, unknown or repeated, or the cursor is not one of this list (named in `errors`).",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "invalid_parameter"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/KeyRequired"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/redemptions/{id}": {
      "get": {
        "operationId": "getRedemption",
        "tags": [
          "vouchers"
        ],
        "summary": "One redemption (its firm, its provider, the issuing regulator, admin)",
        "security": [
          {
            "apiKey": []
          }
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/RedemptionId"
          }
        ],
        "responses": {
          "200": {
            "description": "The redemption.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Redemption"
                }
              }
            },
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadId"
          },
          "401": {
            "$ref": "#/components/responses/KeyRequired"
          },
          "404": {
            "description": "No such redemption, or one the caller may not see.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "not_found"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/redemptions/{id}/claim": {
      "post": {
        "operationId": "claimRedemption",
        "tags": [
          "vouchers"
        ],
        "summary": "Claims a held redemption with evidence (its provider)",
        "description": "held → claimed, until the program's `claimBy` day. Moves no money, so takes no `Idempotency-Key`.",
        "security": [
          {
            "apiKey": []
          }
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/RedemptionId"
          }
        ],
        "requestBody": {
          "required": true,
          "description": "The evidence.",
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/RedemptionClaim"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "The redemption, `claimed`.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Redemption"
                }
              }
            },
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            }
          },
          "400": {
            "description": "The id or a field was refused (named in `errors`): `evidence` missing, not 1 to 10 references of 1 to 200 characters, or an unknown field.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "invalid_parameter"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/KeyRequired"
          },
          "403": {
            "description": "The caller may see the redemption but is not its provider.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "forbidden"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "404": {
            "description": "No such redemption, or one the caller may not see.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "not_found"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "409": {
            "description": "The redemption is not `held`.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "invalid_transition"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "413": {
            "$ref": "#/components/responses/BodyTooLarge"
          },
          "415": {
            "$ref": "#/components/responses/NotJSON"
          },
          "422": {
            "description": "`claim_period_over`: past the program's `claimBy` day.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "claim_period_over"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/redemptions/{id}/approve": {
      "post": {
        "operationId": "approveRedemption",
        "tags": [
          "vouchers"
        ],
        "summary": "Approves a claim (a regulator of the issuing region)",
        "description": "claimed → approved: the hold is posted, and the issuing region now owes the provider. The body, if any, must be exactly `{}`; its media type is not checked. A replay of a refusal returns it again, with `Idempotent-Replayed: true`.",
        "security": [
          {
            "apiKey": []
          }
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/RedemptionId"
          },
          {
            "$ref": "#/components/parameters/IdempotencyKey"
          }
        ],
        "requestBody": {
          "required": false,
          "description": "Nothing: no body, or `{}`.",
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/RedemptionDecision"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "The redemption, `approved`.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Redemption"
                }
              }
            },
            "headers": {
              "Idempotent-Replayed": {
                "$ref": "#/components/headers/IdempotentReplayed"
              },
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            }
          },
          "400": {
            "description": "The id is not a positive integer or the body is neither empty nor `{}` (`invalid_parameter`), or the `Idempotency-Key` is missing or malformed (`idempotency_key_required`).",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "invalid_parameter",
                            "idempotency_key_required"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/KeyRequired"
          },
          "403": {
            "description": "The caller may see the redemption but is not a regulator of its issuing region (an admin, its firm, its provider).",
            "headers": {
              "Idempotent-Replayed": {
                "$ref": "#/components/headers/IdempotentReplayed"
              },
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "forbidden"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "404": {
            "description": "No such redemption, or one the caller may not see.",
            "headers": {
              "Idempotent-Replayed": {
                "$ref": "#/components/headers/IdempotentReplayed"
              },
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "not_found"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "409": {
            "description": "`invalid_transition`: the redemption is not `claimed`; `idempotency_key_in_use`: the first request with this `Idempotency-Key` is still running; retry once it has finished.",
            "headers": {
              "Idempotent-Replayed": {
                "$ref": "#/components/headers/IdempotentReplayed"
              },
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "invalid_transition",
                            "idempotency_key_in_use"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "413": {
            "$ref": "#/components/responses/BodyTooLarge"
          },
          "422": {
            "$ref": "#/components/responses/IdempotencyKeyReused"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/redemptions/{id}/reject": {
      "post": {
        "operationId": "rejectRedemption",
        "tags": [
          "vouchers"
        ],
        "summary": "Rejects a claim with a reason (a regulator of the issuing region)",
        "description": "claimed → rejected: the hold is voided and the amount returns to the voucher; the contract may be redeemed again. A replay of a refusal returns it again, with `Idempotent-Replayed: true`.",
        "security": [
          {
            "apiKey": []
          }
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/RedemptionId"
          },
          {
            "$ref": "#/components/parameters/IdempotencyKey"
          }
        ],
        "requestBody": {
          "required": true,
          "description": "The reason.",
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/RedemptionRejection"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "The redemption, `rejected`, with its `reason`.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Redemption"
                }
              }
            },
            "headers": {
              "Idempotent-Replayed": {
                "$ref": "#/components/headers/IdempotentReplayed"
              },
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            }
          },
          "400": {
            "description": "The id or a field was refused (`invalid_parameter`, named in `errors`): `reason` missing, empty or over 500 characters, or an unknown field; or the `Idempotency-Key` is missing or malformed (`idempotency_key_required`).",
            "headers": {
              "Idempotent-Replayed": {
                "$ref": "#/components/headers/IdempotentReplayed"
              },
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "invalid_parameter",
                            "idempotency_key_required"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/KeyRequired"
          },
          "403": {
            "description": "The caller may see the redemption but is not a regulator of its issuing region (an admin, its firm, its provider).",
            "headers": {
              "Idempotent-Replayed": {
                "$ref": "#/components/headers/IdempotentReplayed"
              },
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "forbidden"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "404": {
            "description": "No such redemption, or one the caller may not see.",
            "headers": {
              "Idempotent-Replayed": {
                "$ref": "#/components/headers/IdempotentReplayed"
              },
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "not_found"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "409": {
            "description": "`invalid_transition`: the redemption is not `claimed`; `idempotency_key_in_use`: the first request with this `Idempotency-Key` is still running; retry once it has finished.",
            "headers": {
              "Idempotent-Replayed": {
                "$ref": "#/components/headers/IdempotentReplayed"
              },
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "invalid_transition",
                            "idempotency_key_in_use"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "413": {
            "$ref": "#/components/responses/BodyTooLarge"
          },
          "415": {
            "$ref": "#/components/responses/NotJSON"
          },
          "422": {
            "$ref": "#/components/responses/IdempotencyKeyReused"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/settlements": {
      "post": {
        "operationId": "settleRedemptions",
        "tags": [
          "vouchers"
        ],
        "summary": "Settles an issuing region's approved claims (its regulator, or an admin naming the region)",
        "description": "Gathers the approved, unpaid redemptions of the issuing region into a batch and pays each (payable → provider settled); they become `paid`. With nothing to pay, no batch is made and `batch` is null. A replay of a refusal returns it again, with `Idempotent-Replayed: true`.",
        "security": [
          {
            "apiKey": []
          }
        ],
        "parameters": [
          {
            "$ref": "#/components/parameters/IdempotencyKey"
          }
        ],
        "requestBody": {
          "required": false,
          "description": "Optional: which issuing region to settle.",
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/SettlementRequest"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "The new batch, or null.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/SettlementResult"
                }
              }
            },
            "headers": {
              "Idempotent-Replayed": {
                "$ref": "#/components/headers/IdempotentReplayed"
              },
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            }
          },
          "400": {
            "description": "The body was refused (`invalid_parameter`, named in `errors`): not an object, an unknown field, a malformed `issuer`, or no `issuer` from an admin; or the `Idempotency-Key` is missing or malformed (`idempotency_key_required`).",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "invalid_parameter",
                            "idempotency_key_required"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/KeyRequired"
          },
          "403": {
            "description": "The key is neither a regulator's of the issuing region nor an admin's.",
            "headers": {
              "Idempotent-Replayed": {
                "$ref": "#/components/headers/IdempotentReplayed"
              },
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "forbidden"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "409": {
            "description": "`idempotency_key_in_use`: the first request with this `Idempotency-Key` is still running; retry once it has finished.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "idempotency_key_in_use"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "413": {
            "$ref": "#/components/responses/BodyTooLarge"
          },
          "415": {
            "description": "A non-empty body is not `application/json`.",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "unsupported_media_type"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "422": {
            "$ref": "#/components/responses/IdempotencyKeyReused"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/settlements/{id}": {
      "get": {
        "operationId": "getSettlement",
        "tags": [
          "vouchers"
        ],
        "summary": "One settlement batch, as JSON or CSV (the issuing regulator, admin)",
        "description": "Read again from the ledger. Send `Accept: text/csv` for CSV; any other `Accept` gives JSON.",
        "security": [
          {
            "apiKey": []
          }
        ],
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "description": "The batch's id.",
            "schema": {
              "type": "integer",
              "format": "int64",
              "minimum": 1
            }
          }
        ],
        "responses": {
          "200": {
            "description": "The batch.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Settlement"
                }
              },
              "text/csv": {
                "schema": {
                  "description": "One line per redemption (`provider_region,provider_id,provider,redemption_id,voucher,contract,amount_yuan`, amounts in yuan with two decimals, fields with commas or quotes quoted), then a `total` line per provider region and an overall `total` line.",
                  "contentMediaType": "text/csv"
                },
                "example": "provider_region,provider_id,provider,redemption_id,voucher,contract,amount_yuan\n310117,12,上海某检测中心,7,330521-2026-000001,SJ-2026-001,1200.00\n310117,,total,,,,1200.00\n,,total,,,,1200.00\n"
              }
            },
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadId"
          },
          "401": {
            "$ref": "#/components/responses/KeyRequired"
          },
          "404": {
            "description": "No such batch, or one the caller may not see (only the issuing region's regulators and admins may).",
            "headers": {
              "X-Request-Id": {
                "$ref": "#/components/headers/RequestId"
              }
            },
            "content": {
              "application/problem+json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/Problem"
                    },
                    {
                      "properties": {
                        "code": {
                          "enum": [
                            "not_found"
                          ]
                        }
                      }
                    }
                  ]
                }
              }
            }
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    }
  },
  "components": {
    "securitySchemes": {
      "apiKey": {
        "type": "http",
        "scheme": "bearer",
        "description": "An API key, `tmk_` followed by 32 base32 characters, issued by `techmarket keys issue`."
      }
    },
    "headers": {
      "RequestId": {
        "description": "The request's id, as logged.",
        "schema": {
          "type": "string",
          "minLength": 1
        }
      },
      "ETag": {
        "description": "The listing's version, quoted: `\"<version>\"`.",
        "required": true,
        "schema": {
          "type": "string",
          "pattern": "^\"[0-9]+\"$"
        }
      },
      "Location": {
        "description": "The path of the new resource.",
        "required": true,
        "schema": {
          "type": "string",
          "pattern": "^/v1/[a-z-]+/[0-9]+$"
        }
      },
      "WWWAuthenticate": {
        "description": "`Bearer`.",
        "required": true,
        "schema": {
          "type": "string",
          "pattern": "^Bearer"
        }
      },
      "IdempotentReplayed": {
        "description": "`true` when the response is the stored first response to this `Idempotency-Key`, sent again; absent otherwise.",
        "schema": {
          "type": "string",
          "const": "true"
        }
      }
    },
    "schemas": {
      "Problem": {
        "type": "object",
        "description": "An RFC 9457 problem detail, sent as `application/problem+json` with every error.",
        "required": [
          "type",
          "title",
          "status",
          "code"
        ],
        "additionalProperties": false,
        "properties": {
          "type": {
            "type": "string",
            "format": "uri",
            "description": "`https://techmarket.example/problems/` followed by the code with `-` for `_`.",
            "pattern": "^https://techmarket\\.example/problems/[a-z0-9-]+$"
          },
          "title": {
            "type": "string",
            "minLength": 1
          },
          "status": {
            "type": "integer",
            "minimum": 400,
            "maximum": 599
          },
          "code": {
            "type": "string",
            "pattern": "^[a-z][a-z0-9_]*$",
            "description": "A stable, machine-readable code: `invalid_parameter`, `unauthenticated`, `forbidden`, `not_found`, `duplicate_reference`, `invalid_transition`, `version_conflict`, `precondition_failed`, `precondition_required`, `body_too_large`, `unavailable`, `idempotency_key_required`, `idempotency_key_reused`, `idempotency_key_in_use`, and the refusals of the voucher rules (`program_budget_exceeded`, `exceeds_voucher_remaining`, …), …"
          },
          "detail": {
            "type": "string"
          },
          "errors": {
            "type": "array",
            "minItems": 1,
            "items": {
              "$ref": "#/components/schemas/FieldError"
            },
            "description": "The inputs that were refused, each named; absent when there are none."
          },
          "values": {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": {
              "type": "integer",
              "format": "int64"
            },
            "description": "The numbers behind a refusal of the voucher rules, by name (`{\"remainingFen\": 1200, \"requestedFen\": 5000}`), so that a client can show them without parsing `detail`; absent when there are none.",
            "examples": [
              {
                "remainingFen": 1200,
                "requestedFen": 5000
              }
            ]
          },
          "requestId": {
            "type": "string",
            "description": "The request id, also sent as `X-Request-Id`."
          }
        }
      },
      "FieldError": {
        "type": "object",
        "description": "One input that was refused, named by its JSON path (`ipAssets[0].number`) or query parameter.",
        "required": [
          "field",
          "message"
        ],
        "additionalProperties": false,
        "properties": {
          "field": {
            "type": "string",
            "minLength": 1
          },
          "message": {
            "type": "string",
            "minLength": 1
          }
        }
      },
      "Health": {
        "type": "object",
        "required": [
          "status",
          "database"
        ],
        "additionalProperties": false,
        "properties": {
          "status": {
            "type": "string",
            "enum": [
              "ok",
              "unavailable"
            ]
          },
          "database": {
            "type": "object",
            "required": [
              "reachable"
            ],
            "additionalProperties": false,
            "description": "The optional properties are omitted when not known.",
            "properties": {
              "reachable": {
                "type": "boolean"
              },
              "latencyMs": {
                "type": "number",
                "minimum": 0
              },
              "serverVersion": {
                "type": "string"
              },
              "error": {
                "type": "string",
                "description": "Why the database did not answer, without host names or paths."
              }
            }
          }
        }
      },
      "RegionCode": {
        "type": "string",
        "pattern": "^[1-9][0-9]{5}$",
        "description": "A six-digit GB/T 2260 administrative division code, such as `330521` for 德清县.",
        "examples": [
          "330521"
        ]
      },
      "Timestamp": {
        "type": "string",
        "format": "date-time",
        "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$",
        "description": "An RFC 3339 date and time, in UTC (`2026-11-26T10:00:00Z`).",
        "examples": [
          "2026-11-26T10:00:00Z"
        ]
      },
      "Region": {
        "type": "object",
        "required": [
          "code",
          "name",
          "nameEn",
          "level"
        ],
        "additionalProperties": false,
        "properties": {
          "code": {
            "$ref": "#/components/schemas/RegionCode"
          },
          "name": {
            "type": "string",
            "minLength": 1
          },
          "nameEn": {
            "type": "string",
            "minLength": 1
          },
          "level": {
            "type": "string",
            "enum": [
              "province",
              "city",
              "county"
            ]
          },
          "parentCode": {
            "$ref": "#/components/schemas/RegionCode",
            "description": "The region one level up; omitted for a province."
          }
        }
      },
      "Alliance": {
        "type": "object",
        "required": [
          "code",
          "name",
          "nameEn",
          "members"
        ],
        "additionalProperties": false,
        "properties": {
          "code": {
            "type": "string",
            "minLength": 1,
            "maxLength": 32
          },
          "name": {
            "type": "string",
            "minLength": 1
          },
          "nameEn": {
            "type": "string",
            "minLength": 1
          },
          "members": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/RegionCode"
            },
            "description": "The member regions; a region belongs when it or an ancestor is a member."
          }
        }
      },
      "TechnicalField": {
        "type": "object",
        "required": [
          "code",
          "name",
          "nameEn",
          "planDirection"
        ],
        "additionalProperties": false,
        "properties": {
          "code": {
            "$ref": "#/components/schemas/FieldCode"
          },
          "name": {
            "type": "string",
            "minLength": 1
          },
          "nameEn": {
            "type": "string",
            "minLength": 1
          },
          "planDirection": {
            "type": "boolean",
            "description": "One of the six directions of the county's 14th five-year plan."
          }
        }
      },
      "FieldCode": {
        "type": "string",
        "minLength": 1,
        "maxLength": 40,
        "pattern": "^[a-z_]+$",
        "description": "A technical field's code, one of `/v1/fields`.",
        "examples": [
          "geographic_information"
        ]
      },
      "RegionPage": {
        "type": "object",
        "description": "Every region that matches, by code.",
        "required": [
          "items"
        ],
        "additionalProperties": false,
        "properties": {
          "items": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Region"
            }
          }
        }
      },
      "AlliancePage": {
        "type": "object",
        "description": "Every alliance.",
        "required": [
          "items"
        ],
        "additionalProperties": false,
        "properties": {
          "items": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Alliance"
            }
          }
        }
      },
      "TechnicalFieldPage": {
        "type": "object",
        "description": "Every technical field.",
        "required": [
          "items"
        ],
        "additionalProperties": false,
        "properties": {
          "items": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/TechnicalField"
            }
          }
        }
      },
      "PartyKind": {
        "type": "string",
        "enum": [
          "institution",
          "firm",
          "provider",
          "regulator"
        ]
      },
      "Role": {
        "type": "string",
        "enum": [
          "institution",
          "firm",
          "provider",
          "regulator",
          "admin"
        ],
        "description": "A key's role; it matches its party's kind, and `admin` has no party."
      },
      "Handle": {
        "type": "string",
        "pattern": "^[a-z0-9-]{2,40}$",
        "minLength": 2,
        "maxLength": 40,
        "description": "A short stable name, used on the command line.",
        "examples": [
          "casdq"
        ]
      },
      "CreditCode": {
        "type": "string",
        "minLength": 18,
        "maxLength": 18,
        "pattern": "^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$",
        "description": "统一社会信用代码 (GB 32100-2015), 18 characters; the check character is verified.",
        "examples": [
          "12330521MB1234567X"
        ]
      },
      "Party": {
        "type": "object",
        "description": "A participant: an institution, a firm, a provider or a regulator.",
        "required": [
          "id",
          "handle",
          "kind",
          "name",
          "nameEn",
          "regionCode",
          "creditCode",
          "groupCode",
          "createdAt"
        ],
        "additionalProperties": false,
        "properties": {
          "id": {
            "type": "integer",
            "format": "int64",
            "minimum": 1
          },
          "handle": {
            "$ref": "#/components/schemas/Handle"
          },
          "kind": {
            "$ref": "#/components/schemas/PartyKind"
          },
          "name": {
            "type": "string",
            "minLength": 1,
            "maxLength": 64,
            "pattern": "^[^\\u0000-\\u001F\\u007F-\\u009F]*$"
          },
          "nameEn": {
            "type": [
              "string",
              "null"
            ],
            "minLength": 1,
            "maxLength": 128,
            "pattern": "^[^\\u0000-\\u001F\\u007F-\\u009F]*$"
          },
          "regionCode": {
            "$ref": "#/components/schemas/RegionCode"
          },
          "creditCode": {
            "anyOf": [
              {
                "$ref": "#/components/schemas/CreditCode"
              },
              {
                "type": "null"
              }
            ],
            "description": "Always present for institutions, firms and providers; a regulator may have none."
          },
          "groupCode": {
            "type": [
              "string",
              "null"
            ],
            "pattern": "^[a-z0-9-]{2,40}$",
            "description": "A firm's controller group, used for voucher caps; null when none (always for other kinds)."
          },
          "createdAt": {
            "$ref": "#/components/schemas/Timestamp"
          }
        },
        "oneOf": [
          {
            "properties": {
              "kind": {
                "const": "firm"
              },
              "creditCode": {
                "type": "string"
              }
            }
          },
          {
            "properties": {
              "kind": {
                "enum": [
                  "institution",
                  "provider"
                ]
              },
              "creditCode": {
                "type": "string"
              },
              "groupCode": {
                "type": "null"
              }
            }
          },
          {
            "properties": {
              "kind": {
                "const": "regulator"
              },
              "groupCode": {
                "type": "null"
              }
            }
          }
        ]
      },
      "PartyCreate": {
        "type": "object",
        "description": "A participant to register. Institutions, firms and providers need a credit code (its check character is verified); a regulator may have one. Only firms have a `groupCode`. Unknown fields are refused.",
        "required": [
          "handle",
          "kind",
          "name",
          "regionCode"
        ],
        "additionalProperties": false,
        "properties": {
          "handle": {
            "$ref": "#/components/schemas/Handle"
          },
          "kind": {
            "$ref": "#/components/schemas/PartyKind"
          },
          "name": {
            "type": "string",
            "minLength": 1,
            "maxLength": 64,
            "pattern": "^[^\\u0000-\\u001F\\u007F-\\u009F]*$"
          },
          "nameEn": {
            "type": [
              "string",
              "null"
            ],
            "minLength": 1,
            "maxLength": 128,
            "pattern": "^[^\\u0000-\\u001F\\u007F-\\u009F]*$"
          },
          "regionCode": {
            "$ref": "#/components/schemas/RegionCode"
          },
          "creditCode": {
            "anyOf": [
              {
                "$ref": "#/components/schemas/CreditCode"
              },
              {
                "type": "null"
              }
            ]
          },
          "groupCode": {
            "type": [
              "string",
              "null"
            ],
            "pattern": "^[a-z0-9-]{2,40}$",
            "description": "Firms only."
          }
        },
        "oneOf": [
          {
            "properties": {
              "kind": {
                "const": "firm"
              },
              "creditCode": {
                "type": "string"
              }
            },
            "required": [
              "creditCode"
            ]
          },
          {
            "properties": {
              "kind": {
                "enum": [
                  "institution",
                  "provider"
                ]
              },
              "creditCode": {
                "type": "string"
              },
              "groupCode": {
                "type": "null"
              }
            },
            "required": [
              "creditCode"
            ]
          },
          {
            "properties": {
              "kind": {
                "const": "regulator"
              },
              "groupCode": {
                "type": "null"
              }
            }
          }
        ]
      },
      "PartyPage": {
        "type": "object",
        "description": "A page of the directory, by id.",
        "required": [
          "items",
          "nextCursor"
        ],
        "additionalProperties": false,
        "properties": {
          "items": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Party"
            }
          },
          "nextCursor": {
            "type": [
              "string",
              "null"
            ],
            "minLength": 1,
            "description": "Pass as `cursor` for the next page, with the same filters and sort; null on the last page."
          }
        }
      },
      "Me": {
        "type": "object",
        "description": "The caller: its key, role and party.",
        "required": [
          "keyId",
          "role",
          "party",
          "regionCode"
        ],
        "additionalProperties": false,
        "properties": {
          "keyId": {
            "type": "integer",
            "format": "int64",
            "minimum": 1,
            "description": "The id `keys list` shows and `keys revoke` takes."
          },
          "role": {
            "$ref": "#/components/schemas/Role"
          },
          "party": {
            "anyOf": [
              {
                "$ref": "#/components/schemas/Party"
              },
              {
                "type": "null"
              }
            ],
            "description": "The key's party; null for an admin."
          },
          "regionCode": {
            "anyOf": [
              {
                "$ref": "#/components/schemas/RegionCode"
              },
              {
                "type": "null"
              }
            ],
            "description": "A regulator's region, the one its rights are bound to; null for other roles."
          }
        },
        "oneOf": [
          {
            "properties": {
              "role": {
                "const": "admin"
              },
              "party": {
                "type": "null"
              }
            }
          },
          {
            "properties": {
              "role": {
                "const": "regulator"
              },
              "party": {
                "type": "object"
              },
              "regionCode": {
                "type": "string"
              }
            },
            "required": [
              "regionCode"
            ]
          },
          {
            "properties": {
              "role": {
                "enum": [
                  "institution",
                  "firm",
                  "provider"
                ]
              },
              "party": {
                "type": "object"
              }
            }
          }
        ]
      },
      "ListingStatus": {
        "type": "string",
        "enum": [
          "draft",
          "published",
          "under_offer",
          "in_auction",
          "transacted",
          "withdrawn"
        ],
        "description": "`draft` → `published` → (`under_offer` / `in_auction`) → `transacted`; `draft` or `published` → `withdrawn`."
      },
      "TransferMode": {
        "type": "string",
        "enum": [
          "assignment",
          "licence_exclusive",
          "licence_sole",
          "licence_non_exclusive",
          "equity",
          "co_development"
        ],
        "description": "转让, 独占许可, 排他许可, 普通许可, 作价入股, 合作开发."
      },
      "IPAsset": {
        "type": "object",
        "description": "A patent, a software copyright or know-how. Patents and software copyrights carry their number; know-how has none.",
        "required": [
          "kind",
          "title"
        ],
        "additionalProperties": false,
        "properties": {
          "kind": {
            "type": "string",
            "enum": [
              "patent",
              "software_copyright",
              "know_how"
            ]
          },
          "number": {
            "type": "string",
            "description": "`CN202110123456.7` or `ZL…` for a patent, `2021SR0123456` for a software copyright."
          },
          "title": {
            "type": "string",
            "minLength": 1,
            "maxLength": 100,
            "pattern": "^[^\\u0000-\\u001F\\u007F-\\u009F]*$"
          }
        },
        "oneOf": [
          {
            "properties": {
              "kind": {
                "const": "patent"
              },
              "number": {
                "pattern": "^(CN|ZL)[0-9]{12}\\.[0-9X]$"
              }
            },
            "required": [
              "number"
            ]
          },
          {
            "properties": {
              "kind": {
                "const": "software_copyright"
              },
              "number": {
                "pattern": "^[0-9]{4}SR[0-9]{7}$"
              }
            },
            "required": [
              "number"
            ]
          },
          {
            "properties": {
              "kind": {
                "const": "know_how"
              }
            },
            "not": {
              "required": [
                "number"
              ]
            }
          }
        ]
      },
      "Listing": {
        "type": "object",
        "description": "A technology achievement offered by an institution. Exactly one of an asking price and `negotiable: true`.",
        "required": [
          "id",
          "reference",
          "status",
          "version",
          "institutionId",
          "institutionName",
          "regionCode",
          "title",
          "summary",
          "benefit",
          "field",
          "keywords",
          "trl",
          "ipAssets",
          "transferModes",
          "askingPriceFen",
          "negotiable",
          "createdAt",
          "updatedAt",
          "publishedAt"
        ],
        "additionalProperties": false,
        "properties": {
          "id": {
            "type": "integer",
            "format": "int64",
            "minimum": 1
          },
          "reference": {
            "type": [
              "string",
              "null"
            ],
            "pattern": "^[A-Za-z0-9._/-]{1,40}$",
            "minLength": 1,
            "maxLength": 40,
            "description": "The institution's own number for the achievement, unique per institution; null when none."
          },
          "status": {
            "$ref": "#/components/schemas/ListingStatus"
          },
          "version": {
            "type": "integer",
            "format": "int64",
            "minimum": 1,
            "description": "Goes up with every change; the `ETag` is `\"<version>\"`."
          },
          "institutionId": {
            "type": "integer",
            "format": "int64",
            "minimum": 1
          },
          "institutionName": {
            "type": "string",
            "minLength": 1
          },
          "regionCode": {
            "$ref": "#/components/schemas/RegionCode"
          },
          "title": {
            "type": "string",
            "minLength": 2,
            "maxLength": 100,
            "pattern": "^[^\\u0000-\\u001F\\u007F-\\u009F]*$"
          },
          "summary": {
            "type": "string",
            "minLength": 10,
            "maxLength": 2000,
            "pattern": "^[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]*$",
            "description": "Tabs and line feeds allowed, no other control characters."
          },
          "benefit": {
            "type": [
              "string",
              "null"
            ],
            "maxLength": 500,
            "pattern": "^[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]*$",
            "description": "Up to 500 characters; null when none."
          },
          "field": {
            "$ref": "#/components/schemas/FieldCode"
          },
          "keywords": {
            "type": "array",
            "minItems": 0,
            "maxItems": 5,
            "uniqueItems": true,
            "items": {
              "type": "string",
              "minLength": 1,
              "maxLength": 20,
              "pattern": "^[^\\u0000-\\u001F\\u007F-\\u009F]*$"
            }
          },
          "trl": {
            "type": "integer",
            "minimum": 1,
            "maximum": 9,
            "description": "Technology readiness level (GB/T 22900-2022)."
          },
          "ipAssets": {
            "type": "array",
            "minItems": 0,
            "maxItems": 20,
            "items": {
              "$ref": "#/components/schemas/IPAsset"
            }
          },
          "transferModes": {
            "type": "array",
            "minItems": 1,
            "maxItems": 6,
            "uniqueItems": true,
            "items": {
              "$ref": "#/components/schemas/TransferMode"
            }
          },
          "askingPriceFen": {
            "type": [
              "integer",
              "null"
            ],
            "format": "int64",
            "minimum": 1,
            "maximum": 1000000000000,
            "description": "The asking price in fen (¥0.01), up to ¥10bn; null when negotiable."
          },
          "negotiable": {
            "type": "boolean",
            "description": "面议: true when there is no asking price."
          },
          "createdAt": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "updatedAt": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "publishedAt": {
            "anyOf": [
              {
                "$ref": "#/components/schemas/Timestamp"
              },
              {
                "type": "null"
              }
            ],
            "description": "Null until published."
          }
        },
        "oneOf": [
          {
            "properties": {
              "askingPriceFen": {
                "type": "integer"
              },
              "negotiable": {
                "const": false
              }
            }
          },
          {
            "properties": {
              "askingPriceFen": {
                "type": "null"
              },
              "negotiable": {
                "const": true
              }
            }
          }
        ]
      },
      "ListingCreate": {
        "type": "object",
        "description": "A new listing, created as a draft. Give either `askingPriceFen` or `negotiable: true`, not both. Unknown fields are refused.",
        "required": [
          "title",
          "summary",
          "field",
          "trl",
          "transferModes"
        ],
        "additionalProperties": false,
        "properties": {
          "reference": {
            "type": [
              "string",
              "null"
            ],
            "pattern": "^[A-Za-z0-9._/-]{1,40}$",
            "minLength": 1,
            "maxLength": 40,
            "description": "The institution's own number for the achievement, unique per institution; null when none."
          },
          "title": {
            "type": "string",
            "minLength": 2,
            "maxLength": 100,
            "pattern": "^[^\\u0000-\\u001F\\u007F-\\u009F]*$"
          },
          "summary": {
            "type": "string",
            "minLength": 10,
            "maxLength": 2000,
            "pattern": "^[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]*$",
            "description": "Tabs and line feeds allowed, no other control characters."
          },
          "benefit": {
            "type": [
              "string",
              "null"
            ],
            "maxLength": 500,
            "pattern": "^[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]*$",
            "description": "Up to 500 characters; null when none."
          },
          "field": {
            "$ref": "#/components/schemas/FieldCode"
          },
          "keywords": {
            "type": "array",
            "minItems": 0,
            "maxItems": 5,
            "uniqueItems": true,
            "items": {
              "type": "string",
              "minLength": 1,
              "maxLength": 20,
              "pattern": "^[^\\u0000-\\u001F\\u007F-\\u009F]*$"
            }
          },
          "trl": {
            "type": "integer",
            "minimum": 1,
            "maximum": 9,
            "description": "Technology readiness level (GB/T 22900-2022)."
          },
          "ipAssets": {
            "type": "array",
            "minItems": 0,
            "maxItems": 20,
            "items": {
              "$ref": "#/components/schemas/IPAsset"
            }
          },
          "transferModes": {
            "type": "array",
            "minItems": 1,
            "maxItems": 6,
            "uniqueItems": true,
            "items": {
              "$ref": "#/components/schemas/TransferMode"
            }
          },
          "askingPriceFen": {
            "type": [
              "integer",
              "null"
            ],
            "format": "int64",
            "minimum": 1,
            "maximum": 1000000000000,
            "description": "The asking price in fen (¥0.01), up to ¥10bn; null when negotiable."
          },
          "negotiable": {
            "type": "boolean",
            "description": "面议: true when there is no asking price."
          }
        },
        "oneOf": [
          {
            "properties": {
              "askingPriceFen": {
                "type": "integer"
              },
              "negotiable": {
                "const": false
              }
            },
            "required": [
              "askingPriceFen"
            ]
          },
          {
            "properties": {
              "askingPriceFen": {
                "type": "null"
              },
              "negotiable": {
                "const": true
              }
            },
            "required": [
              "negotiable"
            ]
          }
        ]
      },
      "ListingUpdate": {
        "type": "object",
        "description": "The fields to change; those not given are kept, and null clears an optional field (`reference`, `benefit`, `askingPriceFen`). A price makes the listing priced; `negotiable: true` or `askingPriceFen: null` makes it negotiable; both a price and `negotiable: true` are refused. Needs `If-Match` or `version` (they must agree when both are sent), and at least one field to change.",
        "additionalProperties": false,
        "properties": {
          "reference": {
            "type": [
              "string",
              "null"
            ],
            "pattern": "^[A-Za-z0-9._/-]{1,40}$",
            "minLength": 1,
            "maxLength": 40,
            "description": "The institution's own number for the achievement, unique per institution; null when none."
          },
          "title": {
            "type": "string",
            "minLength": 2,
            "maxLength": 100,
            "pattern": "^[^\\u0000-\\u001F\\u007F-\\u009F]*$"
          },
          "summary": {
            "type": "string",
            "minLength": 10,
            "maxLength": 2000,
            "pattern": "^[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]*$",
            "description": "Tabs and line feeds allowed, no other control characters."
          },
          "benefit": {
            "type": [
              "string",
              "null"
            ],
            "maxLength": 500,
            "pattern": "^[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]*$",
            "description": "Up to 500 characters; null when none."
          },
          "field": {
            "$ref": "#/components/schemas/FieldCode"
          },
          "keywords": {
            "type": "array",
            "minItems": 0,
            "maxItems": 5,
            "uniqueItems": true,
            "items": {
              "type": "string",
              "minLength": 1,
              "maxLength": 20,
              "pattern": "^[^\\u0000-\\u001F\\u007F-\\u009F]*$"
            }
          },
          "trl": {
            "type": "integer",
            "minimum": 1,
            "maximum": 9,
            "description": "Technology readiness level (GB/T 22900-2022)."
          },
          "ipAssets": {
            "type": "array",
            "minItems": 0,
            "maxItems": 20,
            "items": {
              "$ref": "#/components/schemas/IPAsset"
            }
          },
          "transferModes": {
            "type": "array",
            "minItems": 1,
            "maxItems": 6,
            "uniqueItems": true,
            "items": {
              "$ref": "#/components/schemas/TransferMode"
            }
          },
          "askingPriceFen": {
            "type": [
              "integer",
              "null"
            ],
            "format": "int64",
            "minimum": 1,
            "maximum": 1000000000000,
            "description": "The asking price in fen (¥0.01), up to ¥10bn; null when negotiable."
          },
          "negotiable": {
            "type": "boolean",
            "description": "面议: true when there is no asking price."
          },
          "version": {
            "type": "integer",
            "format": "int64",
            "minimum": 1,
            "description": "The version read; another way than `If-Match` to guard the change (stale → 409 `version_conflict`)."
          }
        },
        "not": {
          "anyOf": [
            {
              "properties": {
                "askingPriceFen": {
                  "type": "integer"
                },
                "negotiable": {
                  "const": true
                }
              },
              "required": [
                "askingPriceFen",
                "negotiable"
              ]
            },
            {
              "properties": {
                "askingPriceFen": {
                  "type": "null"
                },
                "negotiable": {
                  "const": false
                }
              },
              "required": [
                "askingPriceFen",
                "negotiable"
              ]
            }
          ]
        }
      },
      "ListingPage": {
        "type": "object",
        "description": "A page of listings.",
        "required": [
          "items",
          "nextCursor"
        ],
        "additionalProperties": false,
        "properties": {
          "items": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Listing"
            }
          },
          "nextCursor": {
            "type": [
              "string",
              "null"
            ],
            "minLength": 1,
            "description": "Pass as `cursor` for the next page, with the same filters and sort; null on the last page."
          }
        }
      },
      "Day": {
        "type": "string",
        "format": "date",
        "pattern": "^(2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
        "description": "A calendar day in China time (Asia/Shanghai), years 2000 to 2200.",
        "examples": [
          "2027-12-31"
        ]
      },
      "VoucherNumber": {
        "type": "string",
        "pattern": "^[0-9]{6}-[0-9]{4}-[0-9]{6}$",
        "description": "A voucher's number: the issuing region, the program's year and six digits.",
        "examples": [
          "330521-2026-000001"
        ]
      },
      "Honours": {
        "description": "The provider regions a program honours. A provider's region is honoured when it or a region above it is named: the issuing region (`own`), a member of the alliance (`alliance`, a code from `/v1/alliances`), or one of `regions` (`list`).",
        "oneOf": [
          {
            "type": "object",
            "required": [
              "kind"
            ],
            "additionalProperties": false,
            "properties": {
              "kind": {
                "const": "own"
              }
            }
          },
          {
            "type": "object",
            "required": [
              "kind",
              "alliance"
            ],
            "additionalProperties": false,
            "properties": {
              "kind": {
                "const": "alliance"
              },
              "alliance": {
                "type": "string",
                "minLength": 1,
                "maxLength": 32,
                "description": "An alliance code from `/v1/alliances`, such as `g60`."
              }
            }
          },
          {
            "type": "object",
            "required": [
              "kind",
              "regions"
            ],
            "additionalProperties": false,
            "properties": {
              "kind": {
                "const": "list"
              },
              "regions": {
                "type": "array",
                "minItems": 1,
                "maxItems": 100,
                "items": {
                  "$ref": "#/components/schemas/RegionCode"
                },
                "description": "Known regions; a provider in one of them or below one is honoured."
              }
            }
          }
        ],
        "examples": [
          {
            "kind": "own"
          },
          {
            "kind": "alliance",
            "alliance": "g60"
          },
          {
            "kind": "list",
            "regions": [
              "310117",
              "330521"
            ]
          }
        ]
      },
      "ProgramCreate": {
        "type": "object",
        "description": "A voucher program of the caller's region (the caller is its regulator). Its budget is moved from the region's treasury when it is created. Unknown fields are refused.",
        "required": [
          "year",
          "name",
          "budgetFen",
          "useBy",
          "claimBy",
          "honours"
        ],
        "additionalProperties": false,
        "properties": {
          "year": {
            "type": "integer",
            "minimum": 2000,
            "maximum": 2200,
            "description": "The year the caps count in."
          },
          "name": {
            "type": "string",
            "minLength": 2,
            "maxLength": 100,
            "pattern": "^[^\\u0000-\\u001F\\u007F-\\u009F]*$",
            "description": "Unique per region and year; not blank."
          },
          "budgetFen": {
            "type": "integer",
            "format": "int64",
            "minimum": 1,
            "maximum": 1000000000000,
            "description": "The budget in fen (¥0.01)."
          },
          "shareBasisPoints": {
            "type": [
              "integer",
              "null"
            ],
            "minimum": 1,
            "maximum": 10000,
            "default": 5000,
            "description": "The share of a contract a voucher may cover, in basis points (5000 = 50%); absent or null: 5000."
          },
          "firmCapFen": {
            "type": [
              "integer",
              "null"
            ],
            "format": "int64",
            "minimum": 1,
            "maximum": 1000000000000,
            "description": "What one firm may be issued per year by the region's programs, in fen; absent or null: 30000000 (¥300,000).",
            "default": 30000000
          },
          "groupCapFen": {
            "type": [
              "integer",
              "null"
            ],
            "format": "int64",
            "minimum": 1,
            "maximum": 1000000000000,
            "description": "What the firms of one controller group may be issued per year, in fen; absent or null: 50000000 (¥500,000).",
            "default": 50000000
          },
          "useBy": {
            "allOf": [
              {
                "$ref": "#/components/schemas/Day"
              }
            ],
            "description": "Vouchers are issued and redeemed until this day, inclusive."
          },
          "claimBy": {
            "allOf": [
              {
                "$ref": "#/components/schemas/Day"
              }
            ],
            "description": "Providers claim until this day, inclusive; not before `useBy`."
          },
          "honours": {
            "$ref": "#/components/schemas/Honours"
          }
        }
      },
      "ProgramFlow": {
        "type": "object",
        "description": "What a program's vouchers pay providers of one region, by state: held (held or claimed), approved (owed), paid.",
        "required": [
          "providerRegion",
          "heldFen",
          "approvedFen",
          "paidFen"
        ],
        "additionalProperties": false,
        "properties": {
          "providerRegion": {
            "$ref": "#/components/schemas/RegionCode"
          },
          "heldFen": {
            "type": "integer",
            "format": "int64",
            "minimum": 0,
            "description": "Held or claimed, in fen."
          },
          "approvedFen": {
            "type": "integer",
            "format": "int64",
            "minimum": 0,
            "description": "Approved and not yet paid, in fen."
          },
          "paidFen": {
            "type": "integer",
            "format": "int64",
            "minimum": 0,
            "description": "Paid by settlement, in fen."
          }
        }
      },
      "VoucherProgram": {
        "type": "object",
        "description": "A voucher program with what it has issued and where its money flows.",
        "required": [
          "id",
          "issuerRegion",
          "year",
          "name",
          "budgetFen",
          "shareBasisPoints",
          "firmCapFen",
          "groupCapFen",
          "useBy",
          "claimBy",
          "honours",
          "issuedFen",
          "remainingFen",
          "voucherCount",
          "flows",
          "createdAt"
        ],
        "additionalProperties": false,
        "properties": {
          "id": {
            "type": "integer",
            "format": "int64",
            "minimum": 1
          },
          "issuerRegion": {
            "$ref": "#/components/schemas/RegionCode"
          },
          "year": {
            "type": "integer",
            "minimum": 2000,
            "maximum": 2200
          },
          "name": {
            "type": "string",
            "minLength": 2,
            "maxLength": 100
          },
          "budgetFen": {
            "type": "integer",
            "format": "int64",
            "minimum": 1,
            "maximum": 1000000000000
          },
          "shareBasisPoints": {
            "type": "integer",
            "minimum": 1,
            "maximum": 10000
          },
          "firmCapFen": {
            "type": "integer",
            "format": "int64",
            "minimum": 1,
            "maximum": 1000000000000
          },
          "groupCapFen": {
            "type": "integer",
            "format": "int64",
            "minimum": 1,
            "maximum": 1000000000000
          },
          "useBy": {
            "$ref": "#/components/schemas/Day"
          },
          "claimBy": {
            "$ref": "#/components/schemas/Day"
          },
          "honours": {
            "$ref": "#/components/schemas/Honours"
          },
          "issuedFen": {
            "type": "integer",
            "format": "int64",
            "minimum": 0,
            "description": "Face values issued so far (budget used), in fen."
          },
          "remainingFen": {
            "type": "integer",
            "format": "int64",
            "minimum": 0,
            "description": "Budget not yet issued, in fen."
          },
          "voucherCount": {
            "type": "integer",
            "minimum": 0
          },
          "flows": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/ProgramFlow"
            },
            "description": "Per provider region, ordered by region code; regions whose redemptions were all rejected or lapsed are left out."
          },
          "createdAt": {
            "$ref": "#/components/schemas/Timestamp"
          }
        }
      },
      "VoucherProgramList": {
        "type": "object",
        "description": "A page of voucher programs, by id.",
        "required": [
          "items",
          "nextCursor"
        ],
        "additionalProperties": false,
        "properties": {
          "items": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/VoucherProgram"
            }
          },
          "nextCursor": {
            "type": [
              "string",
              "null"
            ],
            "minLength": 1,
            "description": "Pass as `cursor` for the next page; null on the last page."
          }
        }
      },
      "VoucherIssue": {
        "type": "object",
        "description": "A voucher to issue to a firm of the program's region. Unknown fields are refused.",
        "required": [
          "firmId",
          "faceValueFen"
        ],
        "additionalProperties": false,
        "properties": {
          "firmId": {
            "type": "integer",
            "format": "int64",
            "minimum": 1,
            "description": "The firm's participant id."
          },
          "faceValueFen": {
            "type": "integer",
            "format": "int64",
            "minimum": 1,
            "maximum": 1000000000000,
            "description": "The face value in fen, from 1 to 10^12."
          }
        }
      },
      "Voucher": {
        "type": "object",
        "description": "A voucher held by a firm.",
        "required": [
          "number",
          "programId",
          "issuerRegion",
          "firmId",
          "faceValueFen",
          "remainingFen",
          "heldFen",
          "useBy",
          "claimBy",
          "issuedAt"
        ],
        "additionalProperties": false,
        "properties": {
          "number": {
            "$ref": "#/components/schemas/VoucherNumber"
          },
          "programId": {
            "type": "integer",
            "format": "int64",
            "minimum": 1
          },
          "issuerRegion": {
            "$ref": "#/components/schemas/RegionCode"
          },
          "firmId": {
            "type": "integer",
            "format": "int64",
            "minimum": 1,
            "description": "The holding firm."
          },
          "faceValueFen": {
            "type": "integer",
            "format": "int64",
            "minimum": 1,
            "maximum": 1000000000000
          },
          "remainingFen": {
            "type": "integer",
            "format": "int64",
            "minimum": 0,
            "description": "What may still be redeemed: the face value less what is held or spent, in fen."
          },
          "heldFen": {
            "type": "integer",
            "format": "int64",
            "minimum": 0,
            "description": "Held by redemptions not yet approved, rejected or lapsed, in fen."
          },
          "useBy": {
            "$ref": "#/components/schemas/Day"
          },
          "claimBy": {
            "$ref": "#/components/schemas/Day"
          },
          "issuedAt": {
            "$ref": "#/components/schemas/Timestamp"
          }
        }
      },
      "VoucherList": {
        "type": "object",
        "description": "A page of vouchers, in the order they were issued.",
        "required": [
          "items",
          "nextCursor"
        ],
        "additionalProperties": false,
        "properties": {
          "items": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Voucher"
            }
          },
          "nextCursor": {
            "type": [
              "string",
              "null"
            ],
            "minLength": 1,
            "description": "Pass as `cursor` for the next page; null on the last page."
          }
        }
      },
      "RedemptionCreate": {
        "type": "object",
        "description": "A redemption of part of a voucher against one service contract: the voucher amount is held until the claim is decided. `voucherAmountFen` must not exceed `contractAmountFen`. Unknown fields are refused.",
        "required": [
          "providerId",
          "contractReference",
          "contractAmountFen",
          "voucherAmountFen",
          "ownPaymentFen"
        ],
        "additionalProperties": false,
        "properties": {
          "providerId": {
            "type": "integer",
            "format": "int64",
            "minimum": 1,
            "description": "The admitted provider's participant id."
          },
          "contractReference": {
            "type": "string",
            "minLength": 1,
            "maxLength": 60,
            "pattern": "^[A-Za-z0-9._/-]{1,60}$",
            "description": "The provider's service contract; one voucher per contract of a provider."
          },
          "contractAmountFen": {
            "type": "integer",
            "format": "int64",
            "minimum": 1,
            "maximum": 1000000000000,
            "description": "The contract's amount in fen."
          },
          "voucherAmountFen": {
            "type": "integer",
            "format": "int64",
            "minimum": 1,
            "maximum": 1000000000000,
            "description": "What the voucher pays, in fen: at most the program's share of the contract and the voucher's remaining value."
          },
          "ownPaymentFen": {
            "type": "integer",
            "format": "int64",
            "minimum": 0,
            "maximum": 1000000000000,
            "description": "What the firm pays itself, in fen: at least the contract amount less the voucher amount."
          }
        }
      },
      "RedemptionStatus": {
        "type": "string",
        "enum": [
          "held",
          "claimed",
          "approved",
          "rejected",
          "lapsed",
          "paid"
        ],
        "description": "held → claimed → approved → paid; claimed → rejected; held → lapsed (not claimed by the program's `claimBy`)."
      },
      "Redemption": {
        "type": "object",
        "description": "A redemption of a voucher. Every field is always present: `reason` and `settlementId` are null when they do not apply.",
        "required": [
          "id",
          "voucherNumber",
          "firmId",
          "providerId",
          "providerRegion",
          "issuerRegion",
          "contractReference",
          "contractAmountFen",
          "voucherAmountFen",
          "ownPaymentFen",
          "status",
          "evidence",
          "reason",
          "settlementId",
          "createdAt",
          "updatedAt"
        ],
        "additionalProperties": false,
        "properties": {
          "id": {
            "type": "integer",
            "format": "int64",
            "minimum": 1
          },
          "voucherNumber": {
            "$ref": "#/components/schemas/VoucherNumber"
          },
          "firmId": {
            "type": "integer",
            "format": "int64",
            "minimum": 1,
            "description": "The firm holding the voucher."
          },
          "providerId": {
            "type": "integer",
            "format": "int64",
            "minimum": 1
          },
          "providerRegion": {
            "$ref": "#/components/schemas/RegionCode"
          },
          "issuerRegion": {
            "$ref": "#/components/schemas/RegionCode"
          },
          "contractReference": {
            "type": "string",
            "minLength": 1,
            "maxLength": 60,
            "pattern": "^[A-Za-z0-9._/-]{1,60}$",
            "description": "The provider's service contract; one voucher per contract of a provider."
          },
          "contractAmountFen": {
            "type": "integer",
            "format": "int64",
            "minimum": 1,
            "maximum": 1000000000000
          },
          "voucherAmountFen": {
            "type": "integer",
            "format": "int64",
            "minimum": 1,
            "maximum": 1000000000000
          },
          "ownPaymentFen": {
            "type": "integer",
            "format": "int64",
            "minimum": 0,
            "maximum": 1000000000000
          },
          "status": {
            "$ref": "#/components/schemas/RedemptionStatus"
          },
          "evidence": {
            "type": "array",
            "maxItems": 10,
            "items": {
              "type": "string",
              "minLength": 1,
              "maxLength": 200
            },
            "description": "The provider's claim: invoice numbers, report ids, URLs; empty until claimed."
          },
          "reason": {
            "type": [
              "string",
              "null"
            ],
            "minLength": 1,
            "maxLength": 500,
            "description": "Why the claim was rejected; null unless `rejected`."
          },
          "settlementId": {
            "type": [
              "integer",
              "null"
            ],
            "format": "int64",
            "minimum": 1,
            "description": "The settlement batch that paid it; null unless `paid`."
          },
          "createdAt": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "updatedAt": {
            "$ref": "#/components/schemas/Timestamp"
          }
        },
        "allOf": [
          {
            "if": {
              "properties": {
                "status": {
                  "const": "paid"
                }
              }
            },
            "then": {
              "properties": {
                "settlementId": {
                  "type": "integer"
                }
              }
            },
            "else": {
              "properties": {
                "settlementId": {
                  "type": "null"
                }
              }
            }
          },
          {
            "if": {
              "properties": {
                "status": {
                  "const": "rejected"
                }
              }
            },
            "then": {
              "properties": {
                "reason": {
                  "type": "string"
                }
              }
            },
            "else": {
              "properties": {
                "reason": {
                  "type": "null"
                }
              }
            }
          }
        ]
      },
      "RedemptionList": {
        "type": "object",
        "description": "A page of redemptions, by id.",
        "required": [
          "items",
          "nextCursor"
        ],
        "additionalProperties": false,
        "properties": {
          "items": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Redemption"
            }
          },
          "nextCursor": {
            "type": [
              "string",
              "null"
            ],
            "minLength": 1,
            "description": "Pass as `cursor` for the next page; null on the last page."
          }
        }
      },
      "RedemptionClaim": {
        "type": "object",
        "description": "The provider's claim. Unknown fields are refused.",
        "required": [
          "evidence"
        ],
        "additionalProperties": false,
        "properties": {
          "evidence": {
            "type": "array",
            "minItems": 1,
            "maxItems": 10,
            "items": {
              "type": "string",
              "minLength": 1,
              "maxLength": 200,
              "pattern": "^[^\\u0000-\\u001F\\u007F-\\u009F]*$"
            },
            "description": "1 to 10 references: invoice numbers, report ids, URLs."
          }
        }
      },
      "RedemptionDecision": {
        "type": "object",
        "description": "Approval takes no input: send no body or exactly `{}`.",
        "additionalProperties": false,
        "maxProperties": 0
      },
      "RedemptionRejection": {
        "type": "object",
        "description": "A rejection. Unknown fields are refused.",
        "required": [
          "reason"
        ],
        "additionalProperties": false,
        "properties": {
          "reason": {
            "type": "string",
            "minLength": 1,
            "maxLength": 500,
            "description": "Why the claim is rejected. Tabs and line feeds allowed, no other control characters.",
            "pattern": "^[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]*$"
          }
        }
      },
      "SettlementRequest": {
        "type": "object",
        "description": "The body may be left out or be `{}`: a regulator settles its own region (admins settle from the command line, `techmarket vouchers settle`).",
        "additionalProperties": false,
        "maxProperties": 0
      },
      "SettlementLine": {
        "type": "object",
        "description": "One redemption paid by a settlement.",
        "required": [
          "redemptionId",
          "voucherNumber",
          "contractReference",
          "amountFen"
        ],
        "additionalProperties": false,
        "properties": {
          "redemptionId": {
            "type": "integer",
            "format": "int64",
            "minimum": 1
          },
          "voucherNumber": {
            "$ref": "#/components/schemas/VoucherNumber"
          },
          "contractReference": {
            "type": "string",
            "minLength": 1,
            "maxLength": 60,
            "pattern": "^[A-Za-z0-9._/-]{1,60}$",
            "description": "The provider's service contract; one voucher per contract of a provider."
          },
          "amountFen": {
            "type": "integer",
            "format": "int64",
            "minimum": 1,
            "description": "As moved in the ledger (payable → provider settled), in fen."
          }
        }
      },
      "SettlementProvider": {
        "type": "object",
        "description": "What a settlement paid one provider.",
        "required": [
          "providerId",
          "providerName",
          "totalFen",
          "redemptions"
        ],
        "additionalProperties": false,
        "properties": {
          "providerId": {
            "type": "integer",
            "format": "int64",
            "minimum": 1
          },
          "providerName": {
            "type": "string",
            "minLength": 1
          },
          "totalFen": {
            "type": "integer",
            "format": "int64",
            "minimum": 1
          },
          "redemptions": {
            "type": "array",
            "minItems": 1,
            "items": {
              "$ref": "#/components/schemas/SettlementLine"
            },
            "description": "By redemption id."
          }
        }
      },
      "SettlementRegion": {
        "type": "object",
        "description": "What a settlement paid the providers of one region.",
        "required": [
          "providerRegion",
          "totalFen",
          "providers"
        ],
        "additionalProperties": false,
        "properties": {
          "providerRegion": {
            "$ref": "#/components/schemas/RegionCode"
          },
          "totalFen": {
            "type": "integer",
            "format": "int64",
            "minimum": 1
          },
          "providers": {
            "type": "array",
            "minItems": 1,
            "items": {
              "$ref": "#/components/schemas/SettlementProvider"
            },
            "description": "By provider id."
          }
        }
      },
      "Settlement": {
        "type": "object",
        "description": "A settlement batch of an issuing region: the approved redemptions it paid, per provider, grouped by the provider's region (by region code), with totals. Amounts are read from the ledger, so a batch always matches it.",
        "required": [
          "id",
          "issuerRegion",
          "createdAt",
          "totalFen",
          "regions"
        ],
        "additionalProperties": false,
        "properties": {
          "id": {
            "type": "integer",
            "format": "int64",
            "minimum": 1
          },
          "issuerRegion": {
            "$ref": "#/components/schemas/RegionCode"
          },
          "createdAt": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "totalFen": {
            "type": "integer",
            "format": "int64",
            "minimum": 1
          },
          "regions": {
            "type": "array",
            "minItems": 1,
            "items": {
              "$ref": "#/components/schemas/SettlementRegion"
            }
          }
        }
      },
      "SettlementResult": {
        "type": "object",
        "description": "The outcome of a settlement run.",
        "required": [
          "batch"
        ],
        "additionalProperties": false,
        "properties": {
          "batch": {
            "anyOf": [
              {
                "$ref": "#/components/schemas/Settlement"
              },
              {
                "type": "null"
              }
            ],
            "description": "The new batch; null when nothing was approved and unpaid."
          }
        }
      }
    },
    "responses": {
      "ListingMoved": {
        "description": "The listing after the move.",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Listing"
            }
          }
        },
        "headers": {
          "ETag": {
            "$ref": "#/components/headers/ETag"
          },
          "X-Request-Id": {
            "$ref": "#/components/headers/RequestId"
          }
        }
      },
      "BadIdOrIfMatch": {
        "description": "The id or `If-Match` is malformed.",
        "headers": {
          "X-Request-Id": {
            "$ref": "#/components/headers/RequestId"
          }
        },
        "content": {
          "application/problem+json": {
            "schema": {
              "allOf": [
                {
                  "$ref": "#/components/schemas/Problem"
                },
                {
                  "properties": {
                    "code": {
                      "enum": [
                        "invalid_parameter"
                      ]
                    }
                  }
                }
              ]
            }
          }
        }
      },
      "BadId": {
        "description": "The id is not a positive integer.",
        "headers": {
          "X-Request-Id": {
            "$ref": "#/components/headers/RequestId"
          }
        },
        "content": {
          "application/problem+json": {
            "schema": {
              "allOf": [
                {
                  "$ref": "#/components/schemas/Problem"
                },
                {
                  "properties": {
                    "code": {
                      "enum": [
                        "invalid_parameter"
                      ]
                    }
                  }
                }
              ]
            }
          }
        }
      },
      "BodyTooLarge": {
        "description": "The body is larger than 64 KiB.",
        "headers": {
          "X-Request-Id": {
            "$ref": "#/components/headers/RequestId"
          }
        },
        "content": {
          "application/problem+json": {
            "schema": {
              "allOf": [
                {
                  "$ref": "#/components/schemas/Problem"
                },
                {
                  "properties": {
                    "code": {
                      "enum": [
                        "body_too_large"
                      ]
                    }
                  }
                }
              ]
            }
          }
        }
      },
      "IdempotencyKeyReused": {
        "description": "`idempotency_key_reused`: the `Idempotency-Key` was first sent with another method, path or body; use a new key for a new request.",
        "headers": {
          "X-Request-Id": {
            "$ref": "#/components/headers/RequestId"
          }
        },
        "content": {
          "application/problem+json": {
            "schema": {
              "allOf": [
                {
                  "$ref": "#/components/schemas/Problem"
                },
                {
                  "properties": {
                    "code": {
                      "enum": [
                        "idempotency_key_reused"
                      ]
                    }
                  }
                }
              ]
            }
          }
        }
      },
      "KeyRejected": {
        "description": "A key was sent that is unknown or revoked, or the `Authorization` header is malformed. (The key is optional here; a bad one is still refused.)",
        "headers": {
          "WWW-Authenticate": {
            "$ref": "#/components/headers/WWWAuthenticate"
          },
          "X-Request-Id": {
            "$ref": "#/components/headers/RequestId"
          }
        },
        "content": {
          "application/problem+json": {
            "schema": {
              "allOf": [
                {
                  "$ref": "#/components/schemas/Problem"
                },
                {
                  "properties": {
                    "code": {
                      "enum": [
                        "unauthenticated"
                      ]
                    }
                  }
                }
              ]
            }
          }
        }
      },
      "KeyRequired": {
        "description": "No key, a key that is unknown or revoked, or a malformed `Authorization` header.",
        "headers": {
          "WWW-Authenticate": {
            "$ref": "#/components/headers/WWWAuthenticate"
          },
          "X-Request-Id": {
            "$ref": "#/components/headers/RequestId"
          }
        },
        "content": {
          "application/problem+json": {
            "schema": {
              "allOf": [
                {
                  "$ref": "#/components/schemas/Problem"
                },
                {
                  "properties": {
                    "code": {
                      "enum": [
                        "unauthenticated"
                      ]
                    }
                  }
                }
              ]
            }
          }
        }
      },
      "ListingNotFound": {
        "description": "No such listing, or one the caller may not see (a draft or withdrawn listing of another institution).",
        "headers": {
          "X-Request-Id": {
            "$ref": "#/components/headers/RequestId"
          }
        },
        "content": {
          "application/problem+json": {
            "schema": {
              "allOf": [
                {
                  "$ref": "#/components/schemas/Problem"
                },
                {
                  "properties": {
                    "code": {
                      "enum": [
                        "not_found"
                      ]
                    }
                  }
                }
              ]
            }
          }
        }
      },
      "NotJSON": {
        "description": "The body is not `application/json`.",
        "headers": {
          "X-Request-Id": {
            "$ref": "#/components/headers/RequestId"
          }
        },
        "content": {
          "application/problem+json": {
            "schema": {
              "allOf": [
                {
                  "$ref": "#/components/schemas/Problem"
                },
                {
                  "properties": {
                    "code": {
                      "enum": [
                        "unsupported_media_type"
                      ]
                    }
                  }
                }
              ]
            }
          }
        }
      },
      "NotTheHolder": {
        "description": "The key is not the holding institution's (another institution, a firm, a provider, a regulator or an admin).",
        "headers": {
          "X-Request-Id": {
            "$ref": "#/components/headers/RequestId"
          }
        },
        "content": {
          "application/problem+json": {
            "schema": {
              "allOf": [
                {
                  "$ref": "#/components/schemas/Problem"
                },
                {
                  "properties": {
                    "code": {
                      "enum": [
                        "forbidden"
                      ]
                    }
                  }
                }
              ]
            }
          }
        }
      },
      "StaleIfMatch": {
        "description": "`If-Match` is stale.",
        "headers": {
          "X-Request-Id": {
            "$ref": "#/components/headers/RequestId"
          }
        },
        "content": {
          "application/problem+json": {
            "schema": {
              "allOf": [
                {
                  "$ref": "#/components/schemas/Problem"
                },
                {
                  "properties": {
                    "code": {
                      "enum": [
                        "precondition_failed"
                      ]
                    }
                  }
                }
              ]
            }
          }
        }
      },
      "Unavailable": {
        "description": "The database cannot be reached; try again shortly.",
        "headers": {
          "X-Request-Id": {
            "$ref": "#/components/headers/RequestId"
          }
        },
        "content": {
          "application/problem+json": {
            "schema": {
              "allOf": [
                {
                  "$ref": "#/components/schemas/Problem"
                },
                {
                  "properties": {
                    "code": {
                      "enum": [
                        "unavailable"
                      ]
                    }
                  }
                }
              ]
            }
          }
        }
      },
      "BadRequestLine": {
        "description": "The path or a query parameter holds a control character once percent-decoded, or is not UTF-8 (named in `errors`: `path` or the parameter).",
        "headers": {
          "X-Request-Id": {
            "$ref": "#/components/headers/RequestId"
          }
        },
        "content": {
          "application/problem+json": {
            "schema": {
              "allOf": [
                {
                  "$ref": "#/components/schemas/Problem"
                },
                {
                  "properties": {
                    "code": {
                      "enum": [
                        "invalid_parameter"
                      ]
                    }
                  }
                }
              ]
            }
          }
        }
      }
    },
    "parameters": {
      "IfMatchOptional": {
        "name": "If-Match",
        "in": "header",
        "required": false,
        "description": "Optional: `\"<version>\"` as read from the `ETag`, so that the move applies only to that version (stale → 412 `precondition_failed`).",
        "schema": {
          "type": "string",
          "pattern": "^(W/)?\"[0-9]+\"$"
        }
      },
      "IdempotencyKey": {
        "name": "Idempotency-Key",
        "in": "header",
        "required": true,
        "description": "1 to 100 visible ASCII characters (a UUID will do), chosen by the client and unique per API key. A retry with the same key, method, path and body (the same JSON, whatever its key order or spacing) returns the first response again (with `Idempotent-Replayed: true`) and moves nothing again — a success, or a refusal of the use case's rules; a request refused before its use case's transaction (malformed, unauthenticated, or a check made first: a redemption's own fields, a program's terms, who may settle, a rejection without a reason) or about the current state (409 `invalid_transition`) keeps nothing, and is answered afresh; the same key with another method, path or body → 422 `idempotency_key_reused`; while the first request with the key is still running → 409 `idempotency_key_in_use`. Missing or malformed → 400 `idempotency_key_required`.",
        "schema": {
          "type": "string",
          "minLength": 1,
          "maxLength": 100,
          "pattern": "^[!-~]+$"
        }
      },
      "ListingId": {
        "name": "id",
        "in": "path",
        "required": true,
        "description": "The listing's id.",
        "schema": {
          "type": "integer",
          "format": "int64",
          "minimum": 1
        }
      },
      "RedemptionId": {
        "name": "id",
        "in": "path",
        "required": true,
        "description": "The redemption's id.",
        "schema": {
          "type": "integer",
          "format": "int64",
          "minimum": 1
        }
      },
      "PageLimit": {
        "name": "limit",
        "in": "query",
        "required": false,
        "description": "Items per page.",
        "schema": {
          "type": "integer",
          "minimum": 1,
          "maximum": 100,
          "default": 50
        }
      },
      "PageCursor": {
        "name": "cursor",
        "in": "query",
        "required": false,
        "description": "The `nextCursor` of the previous page of the same list (and the same filters).",
        "schema": {
          "type": "string",
          "minLength": 1
        }
      }
    }
  }
}
"""##
}
