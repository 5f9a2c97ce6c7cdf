/// The OpenAPI 3.1 document of the API, served at `GET /openapi.json`: the machine-readable form of
/// docs/listings.md and of the health and reference-data endpoints. Kept by hand, in step with both.
enum OpenAPIDocument {
    static let json: String = ##"""
    {
      "openapi": "3.1.0",
      "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
      "info": {
        "title": "TechMarket API",
        "version": "1.0.0",
        "summary": "Technology transfer market: reference data, participants and listings.",
        "description": "Every error is an RFC 9457 problem detail (`application/problem+json`). Requests are identified by `X-Request-Id`. Keys are sent as `Authorization: Bearer tmk_…`."
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
              "503": {
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
              "503": {
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
              "503": {
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
              "415": {
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
              "503": {
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
              "401": {
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
              "401": {
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
              "503": {
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
              "415": {
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
              "503": {
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
                "name": "id",
                "in": "path",
                "required": true,
                "description": "The listing's id.",
                "schema": {
                  "type": "integer",
                  "format": "int64",
                  "minimum": 1
                }
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
              "401": {
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
              "404": {
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
              "503": {
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
              "403": {
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
              "404": {
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
              "413": {
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
              "415": {
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
              {
                "name": "If-Match",
                "in": "header",
                "required": false,
                "description": "Optional: `\"<version>\"` as read from the `ETag`, so that the move applies only to that version (stale → 412 `precondition_failed`).",
                "schema": {
                  "type": "string",
                  "pattern": "^(W/)?\"[0-9]+\"$"
                }
              }
            ],
            "responses": {
              "200": {
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
              "400": {
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
              "401": {
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
              "403": {
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
              "404": {
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
              "503": {
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
              {
                "name": "If-Match",
                "in": "header",
                "required": false,
                "description": "Optional: `\"<version>\"` as read from the `ETag`, so that the move applies only to that version (stale → 412 `precondition_failed`).",
                "schema": {
                  "type": "string",
                  "pattern": "^(W/)?\"[0-9]+\"$"
                }
              }
            ],
            "responses": {
              "200": {
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
              "400": {
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
              "401": {
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
              "403": {
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
              "404": {
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
              "503": {
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
              "pattern": "^/v1/[a-z]+/[0-9]+$"
            }
          },
          "WWWAuthenticate": {
            "description": "`Bearer`.",
            "required": true,
            "schema": {
              "type": "string",
              "pattern": "^Bearer"
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
                "description": "A stable, machine-readable code: `invalid_parameter`, `unauthenticated`, `forbidden`, `not_found`, `duplicate_reference`, `invalid_transition`, `version_conflict`, `precondition_failed`, `precondition_required`, `body_too_large`, `unavailable`, …"
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
          }
        }
      }
    }
    """##
}
